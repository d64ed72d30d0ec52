#pragma once

// The two-moons classifier of micrograd's demo, twice: an MLP 2-16-16-1 as a module over batched tensors, and the
// same network built neuron by neuron from scalar nodes. Both train with a hinge loss and L2 regularisation.

#include <autograd/autograd.hpp>
#include <nn/nn.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace moons {

using ag::Tensor;

struct Dataset {
  Tensor points;  // [n, 2]
  Tensor labels;  // [n], -1 or +1
};

// Two interleaving half circles with Gaussian noise, as scikit-learn's make_moons; seeded.
Dataset make_moons(std::int64_t count, double noise, std::uint64_t seed);

// The activation, written through the user-defined op API (the built-in ag::relu would do the same).
Tensor user_relu(const Tensor& x);

// A user-written module: three Linear layers with user_relu between them.
class TensorMLP : public ag::nn::Module {
 public:
  TensorMLP();
  std::string name() const override { return "TensorMLP"; }
  Tensor forward(const Tensor& points);  // [n, 2] -> [n] scores

  std::shared_ptr<ag::nn::Linear> layer1;
  std::shared_ptr<ag::nn::Linear> layer2;
  std::shared_ptr<ag::nn::Linear> layer3;
};

// micrograd's MLP: every weight, bias and activation an ag::Value. Built as a copy of a TensorMLP's parameter
// values, so both variants start from the same network.
class ScalarMLP {
 public:
  explicit ScalarMLP(const TensorMLP& source);
  ag::Value forward(const std::vector<ag::Value>& point) const;  // two inputs -> one score
  // Handles to the weights and biases themselves: updating one updates the network.
  std::span<ag::Value> parameters() { return parameters_; }

 private:
  struct Neuron {
    std::vector<ag::Value> weights;
    ag::Value bias;
  };
  std::vector<std::vector<Neuron>> layers_;
  std::vector<ag::Value> parameters_;
};

struct StepResult {
  double loss;
  double accuracy;  // on the training points, before the step
};

// One full-batch step: hinge loss + 1e-4 * L2, backward, SGD with the given learning rate (for the scalar network
// micrograd's plain loop over the parameters).
StepResult train_step(TensorMLP& model, ag::optim::SGD& sgd, const Dataset& data, double learning_rate);
StepResult train_step(ScalarMLP& model, const Dataset& data, double learning_rate);

// micrograd's schedule: the learning rate falls linearly from 1.0 to 0.1 over the run.
double learning_rate_at(std::int64_t step, std::int64_t steps);

}  // namespace moons
