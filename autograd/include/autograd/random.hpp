#pragma once

#include <cstdint>
#include <random>

namespace ag {

// The global generator behind rand, randn and the nn initialisers; one per process, guarded by a mutex,
// so results depend only on the seed and the order of calls.
void manual_seed(std::uint64_t seed);

// Draws from the global generator. Normal draws use Box-Muller, so sequences are the same on every
// standard library.
double uniform(double low = 0.0, double high = 1.0);
double normal(double mean = 0.0, double stddev = 1.0);
std::uint64_t random_bits();

// Fills `count` values at once (one lock for the whole tensor).
void fill_uniform(double* values, std::int64_t count, double low, double high);
void fill_normal(double* values, std::int64_t count, double mean, double stddev);

}  // namespace ag
