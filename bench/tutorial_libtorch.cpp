// The tutorial's training run in LibTorch: the same data, the same sigmoid neuron and the same work
// (10,000 online SGD steps through autograd and torch::optim::SGD, the cumulative error over the eight
// instances every 100 steps), float32 as in the framework's run.

#include "common/bench.hpp"

#include <torch/torch.h>

#include <cstdint>
#include <random>

namespace {

// Returns the last cumulative error, so that the work cannot be optimised away.
double train(std::int64_t iterations, double learning_rate, std::uint64_t seed) {
  torch::manual_seed(seed);
  std::mt19937_64 random(seed);  // a plain generator for the index, as the framework's run draws a plain integer
  const torch::Tensor inputs =
      torch::tensor({3.0f, 1.5f, 2.0f, 1.0f, 4.0f, 1.5f, 3.0f, 4.0f, 3.5f, 0.5f, 2.0f, 0.5f, 5.5f, 1.0f, 1.0f, 1.0f})
          .view({8, 2});
  const torch::Tensor targets = torch::tensor({0.0f, 1.0f, 0.0f, 1.0f, 0.0f, 1.0f, 1.0f, 0.0f});
  const std::int64_t count = inputs.size(0);
  torch::Tensor weights = torch::randn({2}, torch::requires_grad());
  torch::Tensor bias = torch::randn({}, torch::requires_grad());
  torch::optim::SGD sgd({weights, bias}, torch::optim::SGDOptions(learning_rate));
  const auto predict = [&](const torch::Tensor& input) { return torch::sigmoid(torch::dot(input, weights) + bias); };

  double cumulative_error = 0.0;
  for (std::int64_t iteration = 0; iteration < iterations; ++iteration) {
    const auto index = static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(count));
    const torch::Tensor loss = torch::mse_loss(predict(inputs[index]), targets[index]);
    sgd.zero_grad();
    loss.backward();
    sgd.step();

    if (iteration % 100 == 0) {
      torch::NoGradGuard no_grad;
      cumulative_error = 0.0;
      for (std::int64_t i = 0; i < count; ++i)
        cumulative_error += (predict(inputs[i]) - targets[i]).pow(2).item<double>();
    }
  }
  return cumulative_error;
}

}  // namespace

int main(int argc, char** argv) {
  const bench::Args args(argc, argv, {"--iterations", "--repetitions"});
  torch::set_num_threads(1);
  const std::int64_t iterations = args.count("--iterations", 10000, 300);
  double final_error = 0.0;
  const double seconds =
      bench::best_seconds(args.count("--repetitions", 3, 1), [&] { final_error = train(iterations, 0.1, 42); });
  bench::print_result("tutorial", "libtorch", seconds * 1e3, "ms/run",
                      {{"iterations", bench::number(static_cast<double>(iterations))},
                       {"final_cumulative_error", bench::number(final_error)}});
}
