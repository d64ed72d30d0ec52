#include "moons/moons.hpp"

#include <cmath>
#include <numbers>

namespace moons {

namespace F = ag::nn::functional;

Dataset make_moons(std::int64_t count, double noise, std::uint64_t seed) {
  ag::manual_seed(seed);
  const std::int64_t outer = count / 2;
  std::vector<double> points;
  std::vector<double> labels;
  for (std::int64_t i = 0; i < count; ++i) {
    const bool upper = i < outer;
    const std::int64_t k = upper ? i : i - outer;
    const std::int64_t n = upper ? outer : count - outer;
    const double t = n > 1 ? std::numbers::pi * static_cast<double>(k) / static_cast<double>(n - 1) : 0.0;
    points.push_back((upper ? std::cos(t) : 1.0 - std::cos(t)) + ag::normal(0.0, noise));
    points.push_back((upper ? std::sin(t) : 0.5 - std::sin(t)) + ag::normal(0.0, noise));
    labels.push_back(upper ? -1.0 : 1.0);
  }
  return {ag::from_vector(points, {count, 2}, ag::kFloat64), ag::from_vector(labels, {count}, ag::kFloat64)};
}

Tensor user_relu(const Tensor& x) {
  Tensor y;
  {
    ag::NoGradGuard no_grad;
    y = x * (x > 0.0);
  }
  return ag::make_op("user_relu", y, {x}, [](ag::BackwardContext& ctx, const Tensor& grad) {
    ctx.add_grad(0, grad * (ctx.input(0) > 0.0));
  });
}

TensorMLP::TensorMLP() {
  const auto options = ag::nn::LinearOptions().dtype(ag::kFloat64);
  layer1 = register_module("layer1", std::make_shared<ag::nn::Linear>(2, 16, options));
  layer2 = register_module("layer2", std::make_shared<ag::nn::Linear>(16, 16, options));
  layer3 = register_module("layer3", std::make_shared<ag::nn::Linear>(16, 1, options));
  for (Tensor& p : parameters()) ag::nn::init::uniform_(p, -1.0, 1.0);  // micrograd's initialisation
}

Tensor TensorMLP::forward(const Tensor& points) {
  return layer3->forward(user_relu(layer2->forward(user_relu(layer1->forward(points))))).squeeze(-1);
}

ScalarMLP::ScalarMLP(const TensorMLP& source) {
  for (const auto& layer : {source.layer1, source.layer2, source.layer3}) {
    std::vector<Neuron> neurons;
    for (std::int64_t out = 0; out < layer->out_features(); ++out) {
      Neuron neuron;
      for (std::int64_t in = 0; in < layer->in_features(); ++in)
        neuron.weights.push_back(ag::scalar(layer->weight.at({out, in}), ag::dtype(ag::kFloat64).requires_grad(true)));
      neuron.bias = ag::scalar(layer->bias.at({out}), ag::dtype(ag::kFloat64).requires_grad(true));
      parameters_.insert(parameters_.end(), neuron.weights.begin(), neuron.weights.end());
      parameters_.push_back(neuron.bias);
      neurons.push_back(std::move(neuron));
    }
    layers_.push_back(std::move(neurons));
  }
}

Tensor ScalarMLP::forward(const std::vector<Tensor>& point) const {
  std::vector<Tensor> activations = point;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    std::vector<Tensor> next;
    for (const Neuron& neuron : layers_[l]) {
      Tensor sum = neuron.bias;
      for (std::size_t i = 0; i < neuron.weights.size(); ++i) sum = sum + neuron.weights[i] * activations[i];
      next.push_back(l + 1 < layers_.size() ? user_relu(sum) : sum);
    }
    activations = std::move(next);
  }
  return activations.front();
}

namespace {

double accuracy(const std::vector<double>& scores, const Tensor& labels) {
  std::int64_t correct = 0;
  for (std::size_t i = 0; i < scores.size(); ++i)
    correct += (scores[i] > 0) == (labels.at({static_cast<std::int64_t>(i)}) > 0);
  return static_cast<double>(correct) / static_cast<double>(scores.size());
}

StepResult finish_step(const Tensor& loss, const std::vector<double>& scores, const Dataset& data, ag::optim::SGD& sgd,
                       double learning_rate) {
  sgd.zero_grad();
  loss.backward();
  sgd.set_learning_rate(learning_rate);
  sgd.step();
  return {loss.item(), accuracy(scores, data.labels)};
}

Tensor l2(const std::vector<Tensor>& parameters) {
  Tensor total = ag::scalar(0.0, ag::kFloat64);
  for (const Tensor& p : parameters) total = total + (p * p).sum();
  return 1e-4 * total;
}

}  // namespace

StepResult train_step(TensorMLP& model, ag::optim::SGD& sgd, const Dataset& data, double learning_rate) {
  const Tensor scores = model.forward(data.points);
  const Tensor loss = F::hinge_loss(scores, data.labels) + l2(model.parameters());
  return finish_step(loss, scores.to_vector(), data, sgd, learning_rate);
}

StepResult train_step(const ScalarMLP& model, ag::optim::SGD& sgd, const Dataset& data, double learning_rate) {
  const std::int64_t count = data.points.size(0);
  Tensor data_loss = ag::scalar(0.0, ag::kFloat64);
  std::vector<double> scores;
  for (std::int64_t i = 0; i < count; ++i) {
    const Tensor score = model.forward({data.points[i][0], data.points[i][1]});
    scores.push_back(score.item());
    data_loss = data_loss + ag::relu(1.0 - data.labels[i] * score);
  }
  const Tensor loss = data_loss / static_cast<double>(count) + l2(model.parameters());
  return finish_step(loss, scores, data, sgd, learning_rate);
}

double learning_rate_at(std::int64_t step, std::int64_t steps) {
  return 1.0 - 0.9 * static_cast<double>(step) / static_cast<double>(steps);
}

}  // namespace moons
