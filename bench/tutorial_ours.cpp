// The tutorial's training run (10,000 online SGD steps on one sigmoid neuron, the cumulative error over the
// eight instances every 100 steps): with ag::Value, as the handwritten peer's loop but with backward()
// (bench/common/tutorial_value.hpp), eagerly and replayed from ag::trace_values (tutorial-value-replayed); and with
// 0-d and 1-d tensors, as examples/tutorial runs it (tutorial-tensor; its own random draws, so its numbers differ),
// eagerly and replayed from ag::trace (tutorial-tensor-replayed: the first step recorded, the others replayed;
// bitwise the same numbers).

#include "common/bench.hpp"
#include "common/tutorial_value.hpp"
#include "tutorial/tutorial.hpp"

#include <autograd/threads.hpp>

int main(int argc, char** argv) {
  const bench::Args args(argc, argv, {"--iterations", "--repetitions"});
  ag::set_num_threads(1);
  const std::int64_t iterations = args.count("--iterations", 10000, 300);
  // A run takes about a millisecond (with tensors about ten): the best of many is the least disturbed.
  const std::int64_t repetitions = args.count("--repetitions", 25, 1);
  const bench::Details details{{"iterations", bench::number(static_cast<double>(iterations))}};

  double final_error = 0.0;
  const double seconds =
      bench::best_seconds(repetitions, [&] { final_error = bench::train_with_values(iterations, 0.1, 42); });
  bench::Details value_details = details;
  value_details.emplace_back("final_cumulative_error", bench::number(final_error));
  bench::print_result("tutorial", "ours", seconds * 1e3, "ms/run", value_details);

  double replayed_error = 0.0;
  const double value_replayed_seconds = bench::best_seconds(
      repetitions, [&] { replayed_error = bench::train_with_values_replayed(iterations, 0.1, 42); });
  bench::Details value_replayed_details = details;
  value_replayed_details.emplace_back("final_cumulative_error", bench::number(replayed_error));
  bench::print_result("tutorial-value-replayed", "ours", value_replayed_seconds * 1e3, "ms/run",
                      value_replayed_details);

  const tutorial::TrainingSettings settings{iterations, 0.1, 42};
  tutorial::TrainingResult result;
  const double tensor_seconds = bench::best_seconds(repetitions, [&] { result = tutorial::step5_train(settings); });
  bench::Details tensor_details = details;
  tensor_details.emplace_back("final_cumulative_error", bench::number(result.cumulative_errors.back()));
  bench::print_result("tutorial-tensor", "ours", tensor_seconds * 1e3, "ms/run", tensor_details);

  const tutorial::TrainingSettings replayed_settings{iterations, 0.1, 42, /*replay=*/true};
  const double replayed_seconds =
      bench::best_seconds(repetitions, [&] { result = tutorial::step5_train(replayed_settings); });
  bench::Details replayed_details = details;
  replayed_details.emplace_back("final_cumulative_error", bench::number(result.cumulative_errors.back()));
  bench::print_result("tutorial-tensor-replayed", "ours", replayed_seconds * 1e3, "ms/run", replayed_details);
}
