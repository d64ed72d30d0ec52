// One full-batch training step of micrograd's two-moons MLP (2-16-16-1) on 100 points as batched tensors:
// forward, hinge loss + 1e-4 L2, backward, SGD update, as examples/moons's moons::train_step does it. float64,
// as in the example. Then the same step replayed from a trace (moons-tensor-replayed).

#include "common/bench.hpp"
#include "common/moons_setup.hpp"

#include <autograd/threads.hpp>

int main(int argc, char** argv) {
  const bench::Args args(argc, argv, {"--steps", "--repetitions"});
  ag::set_num_threads(1);
  const moons::Dataset data = bench::moons_data();
  const auto model = bench::moons_initial_model();
  ag::optim::SGD sgd(model->parameters(), ag::optim::SGDOptions(bench::kMoonsLearningRate));
  const double first_loss = moons::train_step(*model, sgd, data, bench::kMoonsLearningRate).loss;

  const std::int64_t steps = args.count("--steps", 2000, 5);
  const double seconds = bench::best_seconds(args.count("--repetitions", 5, 1), [&] {
    for (std::int64_t step = 0; step < steps; ++step) moons::train_step(*model, sgd, data, bench::kMoonsLearningRate);
  });
  bench::print_result("moons-tensor", "ours", seconds / static_cast<double>(steps) * 1e6, "us/step",
                      {{"dtype", "float64"}, {"first_loss", bench::number(first_loss)}});

  // The same steps replayed from a trace of the first (moons::ReplayedStep), on a network of its own.
  const auto replayed_model = bench::moons_initial_model();
  ag::optim::SGD replayed_sgd(replayed_model->parameters(), ag::optim::SGDOptions(bench::kMoonsLearningRate));
  moons::ReplayedStep replayed_step(*replayed_model, replayed_sgd);
  const double replayed_first_loss = replayed_step(data, bench::kMoonsLearningRate).loss;
  const double replayed_seconds = bench::best_seconds(args.count("--repetitions", 5, 1), [&] {
    for (std::int64_t step = 0; step < steps; ++step) replayed_step(data, bench::kMoonsLearningRate);
  });
  bench::print_result("moons-tensor-replayed", "ours", replayed_seconds / static_cast<double>(steps) * 1e6, "us/step",
                      {{"dtype", "float64"}, {"first_loss", bench::number(replayed_first_loss)}});
}
