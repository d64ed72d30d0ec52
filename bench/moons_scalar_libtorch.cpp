// The two-moons training step built from scalar nodes in LibTorch: every weight, bias and activation a 0-d
// float64 tensor, the same graph as moons::ScalarMLP and moons::train_step record, the same data and initial
// weights. LibTorch is not made for this (each op costs microseconds), so the run is short.

#include "common/bench.hpp"
#include "common/moons_setup.hpp"
#include "common/torch_interop.hpp"

#include <torch/torch.h>

#include <vector>

namespace {

struct Neuron {
  std::vector<torch::Tensor> weights;
  torch::Tensor bias;
};

class ScalarNetwork {
 public:
  explicit ScalarNetwork(const moons::TensorMLP& source) {
    for (const auto& layer : {source.layer1, source.layer2, source.layer3}) {
      const torch::Tensor weight = bench::to_torch(layer->weight);
      const torch::Tensor bias = bench::to_torch(layer->bias);
      std::vector<Neuron> neurons;
      for (std::int64_t out = 0; out < weight.size(0); ++out) {
        Neuron neuron;
        for (std::int64_t in = 0; in < weight.size(1); ++in)
          neuron.weights.push_back(weight[out][in].clone().requires_grad_());
        neuron.bias = bias[out].clone().requires_grad_();
        parameters_.insert(parameters_.end(), neuron.weights.begin(), neuron.weights.end());
        parameters_.push_back(neuron.bias);
        neurons.push_back(std::move(neuron));
      }
      layers_.push_back(std::move(neurons));
    }
  }

  torch::Tensor forward(std::vector<torch::Tensor> activations) const {
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      std::vector<torch::Tensor> next;
      for (const Neuron& neuron : layers_[l]) {
        torch::Tensor sum = neuron.bias;
        for (std::size_t i = 0; i < neuron.weights.size(); ++i) sum = sum + neuron.weights[i] * activations[i];
        next.push_back(l + 1 < layers_.size() ? torch::relu(sum) : sum);
      }
      activations = std::move(next);
    }
    return activations.front();
  }

  const std::vector<torch::Tensor>& parameters() const { return parameters_; }

 private:
  std::vector<std::vector<Neuron>> layers_;
  std::vector<torch::Tensor> parameters_;
};

double train_step(const ScalarNetwork& network, torch::optim::SGD& sgd, const torch::Tensor& points,
                  const torch::Tensor& labels) {
  const std::int64_t count = points.size(0);
  torch::Tensor data_loss = torch::zeros({}, torch::kFloat64);
  std::vector<double> scores;
  for (std::int64_t i = 0; i < count; ++i) {
    const torch::Tensor score = network.forward({points[i][0], points[i][1]});
    scores.push_back(score.item<double>());
    data_loss = data_loss + torch::relu(1.0 - labels[i] * score);
  }
  torch::Tensor l2 = torch::zeros({}, torch::kFloat64);
  for (const torch::Tensor& p : network.parameters()) l2 = l2 + (p * p).sum();
  const torch::Tensor loss = data_loss / static_cast<double>(count) + 1e-4 * l2;
  sgd.zero_grad();
  loss.backward();
  sgd.step();
  return loss.item<double>();
}

}  // namespace

int main(int argc, char** argv) {
  const bench::Args args(argc, argv, {"--steps", "--repetitions"});
  torch::set_num_threads(1);
  const moons::Dataset data = bench::moons_data();
  const ScalarNetwork network(*bench::moons_initial_model());
  const torch::Tensor points = bench::to_torch(data.points);
  const torch::Tensor labels = bench::to_torch(data.labels);
  torch::optim::SGD sgd(network.parameters(), torch::optim::SGDOptions(bench::kMoonsLearningRate));
  const double first_loss = train_step(network, sgd, points, labels);

  const std::int64_t steps = args.count("--steps", 2, 1);
  const double seconds = bench::best_seconds(args.count("--repetitions", 2, 1), [&] {
    for (std::int64_t step = 0; step < steps; ++step) train_step(network, sgd, points, labels);
  });
  bench::print_result("moons-scalar", "libtorch", seconds / static_cast<double>(steps) * 1e3, "ms/step",
                      {{"first_loss", bench::number(first_loss)}});
}
