#pragma once

// The two-moons classifier of micrograd's demo, twice: an MLP 2-16-16-1 as a module over batched tensors, and the
// same network built neuron by neuron from scalar nodes. Both train with a hinge loss and L2 regularisation.

#include <autograd/autograd.hpp>
#include <autograd/value_trace.hpp>
#include <nn/nn.hpp>

#include <cstdint>
#include <memory>
#include <optional>
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

// train_step for the tensor network, recorded with ag::trace on its first call and replayed on the next ones: the
// same results, bitwise. Holds the model and the optimiser by reference: they must outlive it.
class ReplayedStep {
 public:
  ReplayedStep(TensorMLP& model, ag::optim::SGD& sgd);
  StepResult operator()(const Dataset& data, double learning_rate);

 private:
  TensorMLP& model_;
  ag::optim::SGD& sgd_;
  std::optional<ag::Trace> trace_;
};

// The scalar network's part of train_step that a Value trace records: zero_grad(), the loss and backward(), without
// the update (a write through data(), which ag::trace_values does not record). Returns the loss and the scores.
struct ScalarPass {
  ag::Value loss;
  std::vector<ag::Value> scores;
};
ScalarPass forward_backward(ScalarMLP& model, const Dataset& data);

// train_step for the scalar network, its forward_backward recorded with ag::trace_values on the first call and
// replayed on the next ones, the update applied after each: the same results, bitwise, with no graph built per step.
// The data points are constants of the trace: it trains on `data` (full batch) only. Holds the model and the data by
// reference: they must outlive it.
class ReplayedScalarStep {
 public:
  ReplayedScalarStep(ScalarMLP& model, const Dataset& data);
  StepResult operator()(double learning_rate);
  // The ops a replay computes (the nodes an eager step records); 0 before the first call.
  std::size_t op_count() const { return trace_ ? trace_->op_count() : 0; }

 private:
  ScalarMLP& model_;
  const Dataset& data_;
  std::optional<ag::ValueTrace> trace_;
};

// micrograd's schedule: the learning rate falls linearly from 1.0 to 0.1 over the run.
double learning_rate_at(std::int64_t step, std::int64_t steps);

}  // namespace moons
