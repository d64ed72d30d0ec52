// One full-batch training step of the two-moons MLP (2-16-16-1) on 100 points as batched tensors in LibTorch,
// the same work as moons::train_step: forward, hinge loss + 1e-4 L2, backward, SGD update, and the loss and the
// accuracy read back. float64, the same data and initial weights as the framework's side.

#include "common/bench.hpp"
#include "common/moons_setup.hpp"
#include "common/torch_interop.hpp"

#include <torch/torch.h>

#include <vector>

namespace {

struct Layer {
  torch::Tensor weight;  // [out, in], as ag::nn::Linear
  torch::Tensor bias;
};

class Network {
 public:
  explicit Network(const moons::TensorMLP& source) {
    for (const auto& layer : {source.layer1, source.layer2, source.layer3})
      layers_.push_back(
          {bench::to_torch(layer->weight).requires_grad_(), bench::to_torch(layer->bias).requires_grad_()});
  }

  torch::Tensor forward(const torch::Tensor& points) const {
    torch::Tensor x = points;
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      x = torch::nn::functional::linear(x, layers_[l].weight, layers_[l].bias);
      if (l + 1 < layers_.size()) x = torch::relu(x);
    }
    return x.squeeze(-1);
  }

  std::vector<torch::Tensor> parameters() const {
    std::vector<torch::Tensor> all;
    for (const Layer& layer : layers_) all.insert(all.end(), {layer.weight, layer.bias});
    return all;
  }

 private:
  std::vector<Layer> layers_;
};

moons::StepResult train_step(const Network& network, torch::optim::SGD& sgd, const torch::Tensor& points,
                             const torch::Tensor& labels) {
  const torch::Tensor scores = network.forward(points);
  torch::Tensor l2 = torch::zeros({}, torch::kFloat64);
  for (const torch::Tensor& p : network.parameters()) l2 = l2 + (p * p).sum();
  const torch::Tensor loss = torch::relu(1.0 - labels * scores).mean() + 1e-4 * l2;
  sgd.zero_grad();
  loss.backward();
  sgd.step();
  return {loss.item<double>(), ((scores > 0) == (labels > 0)).to(torch::kFloat64).mean().item<double>()};
}

}  // namespace

int main(int argc, char** argv) {
  const bench::Args args(argc, argv, {"--steps", "--repetitions"});
  torch::set_num_threads(1);
  const moons::Dataset data = bench::moons_data();
  const Network network(*bench::moons_initial_model());
  const torch::Tensor points = bench::to_torch(data.points);
  const torch::Tensor labels = bench::to_torch(data.labels);
  torch::optim::SGD sgd(network.parameters(), torch::optim::SGDOptions(bench::kMoonsLearningRate));
  const double first_loss = train_step(network, sgd, points, labels).loss;

  const std::int64_t steps = args.count("--steps", 2000, 5);
  const double seconds = bench::best_seconds(args.count("--repetitions", 5, 1), [&] {
    for (std::int64_t step = 0; step < steps; ++step) train_step(network, sgd, points, labels);
  });
  bench::print_result("moons-tensor", "libtorch", seconds / static_cast<double>(steps) * 1e6, "us/step",
                      {{"dtype", "float64"}, {"first_loss", bench::number(first_loss)}});
}
