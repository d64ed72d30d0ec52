// The tutorial's training run (10,000 online SGD steps on one sigmoid neuron, the cumulative error over the
// eight instances every 100 steps), as examples/tutorial runs it through the framework.

#include "common/bench.hpp"
#include "tutorial/tutorial.hpp"

#include <autograd/threads.hpp>

int main(int argc, char** argv) {
  const bench::Args args(argc, argv, {"--iterations", "--repetitions"});
  ag::set_num_threads(1);
  const tutorial::TrainingSettings settings{args.count("--iterations", 10000, 300), 0.1, 42};
  tutorial::TrainingResult result;
  const double seconds =
      bench::best_seconds(args.count("--repetitions", 7, 1), [&] { result = tutorial::step5_train(settings); });
  bench::print_result("tutorial", "ours", seconds * 1e3, "ms/run",
                      {{"iterations", bench::number(static_cast<double>(settings.iterations))},
                       {"final_cumulative_error", bench::number(result.cumulative_errors.back())}});
}
