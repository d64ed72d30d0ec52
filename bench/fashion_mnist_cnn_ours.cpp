// Training throughput of the Fashion-MNIST CNN of examples/fashion_mnist --model cnn (PyTorch's
// nn.Sequential(Conv2d(1, 32, 3, padding=1), ReLU, MaxPool2d(2), Conv2d(32, 64, 3, padding=1), ReLU, MaxPool2d(2),
// Flatten, Linear(3136, 128), ReLU, Dropout(0.25), Linear(128, 10)), cross-entropy on logits, Adam at 1e-3) on one
// thread, on random float32 batches [batch, 1, 28, 28] (no dataset needed: the work is the same). The convolutions
// and matrix products run on oneDNN, whose version and instruction set the RESULT line names.
// Also reports the memory a step's graph holds for its backward (graph_kib), and the GFLOP/s reached, counting
// 6 * batch * (multiply-adds of one image's forward pass) flops per step: 2 per multiply-add, forward and the two
// products of the backward.

#include "common/bench.hpp"
#include "common/kernel_names.hpp"

#include <nn/conv.hpp>
#include <nn/dropout.hpp>
#include <nn/flatten.hpp>
#include <nn/nn.hpp>
#include <nn/pooling.hpp>

#include <autograd/inspect.hpp>

#include <memory>
#include <string>
#include <vector>

namespace {

constexpr std::int64_t kClasses = 10;
constexpr std::int64_t kBatchesInPool = 4;  // taken in turn, as a loader hands out different batches

// Multiply-adds of one image's forward pass: the two convolutions (output pixels × output channels × input channels
// × 3 × 3) and the two linear layers.
constexpr double kForwardMacsPerImage = 28.0 * 28 * 32 * 1 * 9 + 14.0 * 14 * 64 * 32 * 9 + 3136.0 * 128 + 128.0 * 10;

// Inputs [batch, 1, 28, 28] uniform in [0, 1), as scaled pixels; targets [batch] random class indices.
std::vector<ag::nn::Batch> random_batches(std::int64_t batch) {
  std::vector<ag::nn::Batch> batches;
  for (std::int64_t b = 0; b < kBatchesInPool; ++b) {
    std::vector<double> classes;
    for (std::int64_t i = 0; i < batch; ++i) classes.push_back(static_cast<double>(ag::random_bits() % kClasses));
    batches.push_back({ag::rand({batch, 1, 28, 28}), ag::from_vector(classes, {batch}, ag::kInt64)});
  }
  return batches;
}

}  // namespace

int main(int argc, char** argv) {
  const bench::Args args(argc, argv, {"--batch", "--steps", "--repetitions"});
  ag::set_num_threads(1);
  ag::manual_seed(0);
  const std::int64_t batch = args.count("--batch", 64, 64);
  const std::vector<ag::nn::Batch> batches = random_batches(batch);
  using namespace ag::nn;
  Sequential model(std::make_shared<Conv2d>(Conv2dOptions(1, 32, 3).padding(1)), std::make_shared<ReLU>(),
                   std::make_shared<MaxPool2d>(2), std::make_shared<Conv2d>(Conv2dOptions(32, 64, 3).padding(1)),
                   std::make_shared<ReLU>(), std::make_shared<MaxPool2d>(2), std::make_shared<Flatten>(),
                   std::make_shared<Linear>(64 * 7 * 7, 128), std::make_shared<ReLU>(), std::make_shared<Dropout>(0.25),
                   std::make_shared<Linear>(128, kClasses));
  ag::optim::Adam adam(model.parameters(), ag::optim::AdamOptions(1e-3));
  const auto train_step = [&](const Batch& data) {
    const ag::Tensor loss = functional::cross_entropy(model(data.inputs), data.targets);
    adam.zero_grad();
    loss.backward();
    adam.step();
  };

  const std::int64_t steps = args.count("--steps", 2048 / batch, 2);
  const double seconds = bench::best_seconds(args.count("--repetitions", 5, 1), [&] {
    for (std::int64_t step = 0; step < steps; ++step) train_step(batches[step % kBatchesInPool]);
  });
  const double step_seconds = seconds / static_cast<double>(steps);
  // What a step's graph holds for its backward (ag::graph_bytes): the activations' memory.
  const Batch& first = batches[0];
  const double graph_kib =
      static_cast<double>(ag::graph_bytes(functional::cross_entropy(model(first.inputs), first.targets))) / 1024.0;
  bench::print_result(
      "fashion-mnist-cnn-b" + std::to_string(batch), "ours", static_cast<double>(batch) / step_seconds, "samples/s",
      {{"gflops", bench::number(6.0 * static_cast<double>(batch) * kForwardMacsPerImage / step_seconds * 1e-9)},
       {"graph_kib", bench::number(graph_kib)},
       {"kernel", bench::onednn_kernel()}});
}
