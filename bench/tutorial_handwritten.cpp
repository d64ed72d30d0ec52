// The tutorial's training run written out by hand (bench/common/tutorial_handwritten.hpp): the same data, the same
// sigmoid neuron and the same work (10,000 online SGD steps, the cumulative error over the eight instances every 100
// steps), with the gradients the tutorial derives on paper. float32, as the framework's default dtype.

#include "common/tutorial_handwritten.hpp"
#include "common/bench.hpp"

int main(int argc, char** argv) {
  const bench::Args args(argc, argv, {"--iterations", "--repetitions"});
  const std::int64_t iterations = args.count("--iterations", 10000, 300);
  double final_error = 0.0;
  const double seconds = bench::best_seconds(
      args.count("--repetitions", 25, 1), [&] { final_error = bench::train_handwritten<float>(iterations, 0.1f, 42); });
  bench::print_result("tutorial", "handwritten", seconds * 1e3, "ms/run",
                      {{"iterations", bench::number(static_cast<double>(iterations))},
                       {"final_cumulative_error", bench::number(final_error)}});
}
