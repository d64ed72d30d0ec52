// The two-moons training step built from scalar nodes, as micrograd builds it: moons::ScalarMLP and
// moons::train_step, every weight, bias and activation an ag::Value. Reports the time per graph node, forward and
// backward together: the whole step (forward, backward, update, graph teardown) divided by the nodes it records,
// as the tape counts them.

#include "common/bench.hpp"
#include "common/moons_setup.hpp"

int main(int argc, char** argv) {
  const bench::Args args(argc, argv, {"--steps", "--repetitions"});
  const moons::Dataset data = bench::moons_data();
  moons::ScalarMLP model(*bench::moons_initial_model());
  const std::int64_t recorded_before = ag::detail::value_tape_stats().nodes_recorded;
  const double first_loss = moons::train_step(model, data, bench::kMoonsLearningRate).loss;
  const std::int64_t nodes = ag::detail::value_tape_stats().nodes_recorded - recorded_before;

  const std::int64_t steps = args.count("--steps", 100, 1);
  const double seconds = bench::best_seconds(args.count("--repetitions", 5, 1), [&] {
    for (std::int64_t step = 0; step < steps; ++step) moons::train_step(model, data, bench::kMoonsLearningRate);
  });
  const double step_seconds = seconds / static_cast<double>(steps);
  bench::print_result("moons-scalar", "ours", step_seconds / static_cast<double>(nodes) * 1e9, "ns/node",
                      {{"nodes_per_step", bench::number(static_cast<double>(nodes))},
                       {"ms_per_step", bench::number(step_seconds * 1e3)},
                       {"first_loss", bench::number(first_loss)}});
}
