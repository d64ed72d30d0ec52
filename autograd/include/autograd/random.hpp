#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <cstdint>
#include <random>

namespace ag {

/// Seeds the global generator behind rand, randn and the nn initialisers. There is one per process, guarded by a
/// mutex, so results depend only on the seed and the order of calls.
void manual_seed(std::uint64_t seed);

/// One draw from the global generator, uniform in [low, high).
double uniform(double low = 0.0, double high = 1.0);
/// One normal draw from the global generator. It uses Box-Muller, so sequences are the same on every standard
/// library.
double normal(double mean = 0.0, double stddev = 1.0);
/// 64 raw random bits from the global generator (a Mersenne Twister, std::mt19937_64).
std::uint64_t random_bits();

/// Fills `count` values, uniform in [low, high), at once (one lock for the whole tensor).
void fill_uniform(double* values, std::int64_t count, double low, double high);
/// Fills `count` normal values at once (one lock for the whole tensor).
void fill_normal(double* values, std::int64_t count, double mean, double stddev);

}  // namespace ag

#pragma GCC visibility pop
