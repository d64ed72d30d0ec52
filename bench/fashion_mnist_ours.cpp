// Training throughput of the Fashion-MNIST MLP 784-256-128-10 (ReLU, cross-entropy on logits, SGD with momentum
// 0.9) on --threads threads (default 1, set with ag::set_num_threads), on random float32 batches of the right shape
// (no dataset needed: the work is the same).
// Also reports the memory a step's graph holds for its backward (graph_kib), and the GFLOP/s reached, counting
// 6 * batch * (784*256 + 256*128 + 128*10) flops per step (forward, and backward to both the input and the weights of
// every layer), and with the flops of the products actually run: nothing needs the gradient of the input batch, so
// the first layer's backward to its input is skipped.

#include "common/bench.hpp"
#include "common/kernel_names.hpp"

#include <nn/nn.hpp>

#include <autograd/inspect.hpp>

#include <memory>
#include <vector>

namespace {

constexpr std::int64_t kFeatures = 784;
constexpr std::int64_t kClasses = 10;
constexpr std::int64_t kBatchesInPool = 4;  // taken in turn, as a loader hands out different batches

double flops_per_step(std::int64_t batch) {
  return 6.0 * static_cast<double>(batch) * (784 * 256 + 256 * 128 + 128 * 10);
}
double flops_performed_per_step(std::int64_t batch) {
  return 2.0 * static_cast<double>(batch) * (2 * 784 * 256 + 3 * (256 * 128 + 128 * 10));
}

// Inputs [batch, 784] uniform in [0, 1), as scaled pixels; targets [batch] random class indices.
std::vector<ag::nn::Batch> random_batches(std::int64_t batch) {
  std::vector<ag::nn::Batch> batches;
  for (std::int64_t b = 0; b < kBatchesInPool; ++b) {
    std::vector<double> classes;
    for (std::int64_t i = 0; i < batch; ++i) classes.push_back(static_cast<double>(ag::random_bits() % kClasses));
    batches.push_back({ag::rand({batch, kFeatures}), ag::from_vector(classes, {batch}, ag::kInt64)});
  }
  return batches;
}

}  // namespace

int main(int argc, char** argv) {
  const bench::Args args(argc, argv, {"--batch", "--steps", "--repetitions", "--threads"});
  const int threads = static_cast<int>(args.count("--threads", 1, 1));
  ag::set_num_threads(threads);
  ag::manual_seed(0);
  const std::int64_t batch = args.count("--batch", 64, 64);
  const std::vector<ag::nn::Batch> batches = random_batches(batch);
  using ag::nn::Linear, ag::nn::ReLU;
  ag::nn::Sequential model(std::make_shared<Linear>(kFeatures, 256), std::make_shared<ReLU>(),
                           std::make_shared<Linear>(256, 128), std::make_shared<ReLU>(),
                           std::make_shared<Linear>(128, kClasses));
  ag::optim::SGD sgd(model.parameters(), ag::optim::SGDOptions(0.01).momentum(0.9));
  const auto train_step = [&](const ag::nn::Batch& data) {
    const ag::Tensor loss = ag::nn::functional::cross_entropy(model(data.inputs), data.targets);
    sgd.zero_grad();
    loss.backward();
    sgd.step();
  };

  const std::int64_t steps = args.count("--steps", 16384 / batch, 2);
  const double seconds = bench::best_seconds(args.count("--repetitions", 5, 1), [&] {
    for (std::int64_t step = 0; step < steps; ++step) train_step(batches[step % kBatchesInPool]);
  });
  const double step_seconds = seconds / static_cast<double>(steps);
  // What a step's graph holds for its backward (ag::graph_bytes): the activations' memory.
  const ag::nn::Batch& first = batches[0];
  const double graph_kib =
      static_cast<double>(ag::graph_bytes(ag::nn::functional::cross_entropy(model(first.inputs), first.targets))) /
      1024.0;
  bench::print_result("fashion-mnist-b" + std::to_string(batch) + "-t" + std::to_string(threads), "ours",
                      static_cast<double>(batch) / step_seconds, "samples/s",
                      {{"gflops", bench::number(flops_per_step(batch) / step_seconds * 1e-9)},
                       {"gflops_performed", bench::number(flops_performed_per_step(batch) / step_seconds * 1e-9)},
                       {"graph_kib", bench::number(graph_kib)},
                       {"threads", std::to_string(threads)},
                       {"kernel", bench::onednn_kernel() + "-sgemm"}});
}
