// The tutorial's training run written out by hand: the same data, the same sigmoid neuron and the same work
// (10,000 online SGD steps, the cumulative error over the eight instances every 100 steps), with the gradients
// the tutorial derives on paper. float32, as the framework's default dtype. Its own random generator, so the
// instances come in a different order than in the framework's run.

#include "common/bench.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <random>

namespace {

struct Instance {
  float x0, x1, target;
};

constexpr std::array<Instance, 8> kData{
    {{3, 1.5, 0}, {2, 1, 1}, {4, 1.5, 0}, {3, 4, 1}, {3.5, 0.5, 0}, {2, 0.5, 1}, {5.5, 1, 1}, {1, 1, 0}}};

struct Neuron {
  float w0, w1, bias;
  float predict(const Instance& in) const { return 1.0f / (1.0f + std::exp(-(in.x0 * w0 + in.x1 * w1 + bias))); }
};

// Returns the last cumulative error, so that the work cannot be optimised away.
double train(std::int64_t iterations, float learning_rate, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::normal_distribution<float> normal;
  Neuron neuron{normal(random), normal(random), normal(random)};
  double cumulative_error = 0.0;
  for (std::int64_t iteration = 0; iteration < iterations; ++iteration) {
    const Instance& in = kData[random() % kData.size()];
    const float prediction = neuron.predict(in);
    const float derror_dprediction = 2 * (prediction - in.target);
    const float dprediction_dlayer1 = prediction * (1 - prediction);
    const float derror_dlayer1 = derror_dprediction * dprediction_dlayer1;  // dlayer1_dbias = 1
    neuron.w0 -= learning_rate * derror_dlayer1 * in.x0;                    // dlayer1_dweights = input
    neuron.w1 -= learning_rate * derror_dlayer1 * in.x1;
    neuron.bias -= learning_rate * derror_dlayer1;

    if (iteration % 100 == 0) {
      cumulative_error = 0.0;
      for (const Instance& each : kData) {
        const float error = neuron.predict(each) - each.target;
        cumulative_error += error * error;
      }
    }
  }
  return cumulative_error;
}

}  // namespace

int main(int argc, char** argv) {
  const bench::Args args(argc, argv, {"--iterations", "--repetitions"});
  const std::int64_t iterations = args.count("--iterations", 10000, 300);
  double final_error = 0.0;
  const double seconds =
      bench::best_seconds(args.count("--repetitions", 7, 1), [&] { final_error = train(iterations, 0.1f, 42); });
  bench::print_result("tutorial", "handwritten", seconds * 1e3, "ms/run",
                      {{"iterations", bench::number(static_cast<double>(iterations))},
                       {"final_cumulative_error", bench::number(final_error)}});
}
