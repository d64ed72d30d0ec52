#include <autograd/detail/trace_state.hpp>
#include <autograd/error.hpp>
#include <autograd/random.hpp>

#include <cmath>
#include <mutex>
#include <numbers>

namespace ag {
namespace {

struct Generator {
  std::mutex mutex;
  std::mt19937_64 engine{5489u};
  bool has_spare_normal = false;  // Box-Muller makes normals in pairs
  double spare_normal = 0.0;

  // Uniform in [0, 1) from the top 53 bits.
  double next_unit() { return static_cast<double>(engine() >> 11) * 0x1.0p-53; }
  double next_normal() {
    if (has_spare_normal) {
      has_spare_normal = false;
      return spare_normal;
    }
    const double u1 = 1.0 - next_unit();  // in (0, 1], so log is finite
    const double u2 = next_unit();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    spare_normal = radius * std::sin(2.0 * std::numbers::pi * u2);
    has_spare_normal = true;
    return radius * std::cos(2.0 * std::numbers::pi * u2);
  }
};

Generator& generator() {
  static Generator instance;
  return instance;
}

// While a trace records, only a kernel may use the generator (rand, randn and dropout draw inside theirs): a draw
// outside one would be made once, at the recording, and its numbers reused by every replay.
void check_not_recording(const char* what) {
  if (detail::outside_recorded_kernel()) [[unlikely]]
    fail(
        "trace: ag::{}() used the global random generator outside ag::run_kernel while recording: every replay "
        "would reuse the numbers drawn now. Draw with ag::rand, ag::randn or ag::dropout inside the step, or call "
        "ag::{}() inside a custom op's ag::run_kernel",
        what, what);
}

}  // namespace

void manual_seed(std::uint64_t seed) {
  check_not_recording("manual_seed");
  Generator& g = generator();
  std::lock_guard lock(g.mutex);
  g.engine.seed(seed);
  g.has_spare_normal = false;
}

std::uint64_t random_bits() {
  check_not_recording("random_bits");
  Generator& g = generator();
  std::lock_guard lock(g.mutex);
  return g.engine();
}

double uniform(double low, double high) {
  check_not_recording("uniform");
  double value;
  fill_uniform(&value, 1, low, high);
  return value;
}

double normal(double mean, double stddev) {
  check_not_recording("normal");
  double value;
  fill_normal(&value, 1, mean, stddev);
  return value;
}

void fill_uniform(double* values, std::int64_t count, double low, double high) {
  check_not_recording("fill_uniform");
  Generator& g = generator();
  std::lock_guard lock(g.mutex);
  for (std::int64_t i = 0; i < count; ++i) values[i] = low + (high - low) * g.next_unit();
}

void fill_normal(double* values, std::int64_t count, double mean, double stddev) {
  check_not_recording("fill_normal");
  Generator& g = generator();
  std::lock_guard lock(g.mutex);
  for (std::int64_t i = 0; i < count; ++i) values[i] = mean + stddev * g.next_normal();
}

}  // namespace ag
