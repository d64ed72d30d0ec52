// The two-moons training step built from scalar nodes, as micrograd builds it: moons::ScalarMLP and
// moons::train_step, every weight, bias and activation an ag::Value. Reports the time per graph node, forward and
// backward together: the whole step (forward, backward, update, graph teardown) divided by the nodes it records,
// as the tape counts them. A second line, moons-scalar-replayed, times the same step recorded once with
// ag::trace_values and replayed (moons::ReplayedScalarStep), divided by the same node count.

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

  moons::ScalarMLP replayed_model(*bench::moons_initial_model());
  moons::ReplayedScalarStep replayed_step(replayed_model, data);
  const double replayed_first_loss = replayed_step(bench::kMoonsLearningRate).loss;  // the recording
  const double replayed_seconds = bench::best_seconds(args.count("--repetitions", 5, 1), [&] {
    for (std::int64_t step = 0; step < steps; ++step) replayed_step(bench::kMoonsLearningRate);
  });
  const double replayed_step_seconds = replayed_seconds / static_cast<double>(steps);
  bench::print_result("moons-scalar-replayed", "ours", replayed_step_seconds / static_cast<double>(nodes) * 1e9,
                      "ns/node",
                      {{"nodes_per_step", bench::number(static_cast<double>(nodes))},
                       {"ops_per_replay", bench::number(static_cast<double>(replayed_step.op_count()))},
                       {"ms_per_step", bench::number(replayed_step_seconds * 1e3)},
                       {"first_loss", bench::number(replayed_first_loss)}});
}
