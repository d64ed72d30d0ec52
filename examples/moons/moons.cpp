#include "moons/moons.hpp"

#include <cmath>
#include <numbers>
#include <utility>

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

// The forward runs unrecorded (make_op records it as one op); the backward is written with tensor ops, so that under
// create_graph it is recorded too and the op can be differentiated twice.
Tensor user_relu(const Tensor& x) {
  Tensor y;
  {
    ag::NoGradGuard no_grad;
    y = x * (x > 0.0);
  }
  return ag::make_op("user_relu", std::move(y), {x}, [](ag::BackwardContext& ctx, const Tensor& grad) {
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
        neuron.weights.emplace_back(layer->weight.at({out, in}));
      neuron.bias = ag::Value(layer->bias.at({out}));
      parameters_.insert(parameters_.end(), neuron.weights.begin(), neuron.weights.end());
      parameters_.push_back(neuron.bias);
      neurons.push_back(std::move(neuron));
    }
    layers_.push_back(std::move(neurons));
  }
}

ag::Value ScalarMLP::forward(const std::vector<ag::Value>& point) const {
  std::vector<ag::Value> activations = point;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    std::vector<ag::Value> next;
    next.reserve(layers_[l].size());
    for (const Neuron& neuron : layers_[l]) {
      ag::Value sum = neuron.bias;
      for (std::size_t i = 0; i < neuron.weights.size(); ++i) sum = sum + neuron.weights[i] * activations[i];
      next.push_back(l + 1 < layers_.size() ? sum.relu() : sum);
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

Tensor l2(const std::vector<Tensor>& parameters) {
  Tensor total = ag::scalar(0.0, ag::kFloat64);
  for (const Tensor& p : parameters) total = total + (p * p).sum();
  return 1e-4 * total;
}

}  // namespace

namespace {
// The step itself, without reading anything back: what a trace records. Returns the loss and the scores.
std::vector<Tensor> step_tensors(TensorMLP& model, ag::optim::SGD& sgd, const Tensor& points, const Tensor& labels) {
  const Tensor scores = model.forward(points);
  const Tensor loss = F::hinge_loss(scores, labels) + l2(model.parameters());
  sgd.zero_grad();
  loss.backward();
  sgd.step();
  return {loss, scores};
}

StepResult read_back(const std::vector<Tensor>& loss_and_scores, const Tensor& labels) {
  return {loss_and_scores[0].item(), accuracy(loss_and_scores[1].to_vector(), labels)};
}
}  // namespace

StepResult train_step(TensorMLP& model, ag::optim::SGD& sgd, const Dataset& data, double learning_rate) {
  sgd.set_learning_rate(learning_rate);
  return read_back(step_tensors(model, sgd, data.points, data.labels), data.labels);
}

ReplayedStep::ReplayedStep(TensorMLP& model, ag::optim::SGD& sgd) : model_(model), sgd_(sgd) {}

StepResult ReplayedStep::operator()(const Dataset& data, double learning_rate) {
  sgd_.set_learning_rate(learning_rate);  // read by the optimiser's kernels on each replay
  if (!trace_)
    trace_ = ag::trace({data.points, data.labels},
                       [this](const std::vector<Tensor>& in) { return step_tensors(model_, sgd_, in[0], in[1]); });
  else
    trace_->replay({data.points, data.labels});
  return read_back(trace_->outputs(), data.labels);
}

ScalarPass forward_backward(ScalarMLP& model, const Dataset& data) {
  const std::vector<double> points = data.points.to_vector();
  const std::vector<double> labels = data.labels.to_vector();
  ag::Value data_loss(0.0);
  std::vector<ag::Value> scores;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    scores.push_back(model.forward({ag::Value(points[2 * i]), ag::Value(points[2 * i + 1])}));
    data_loss = data_loss + (1.0 - labels[i] * scores.back()).relu();
  }
  ag::Value squares(0.0);
  for (const ag::Value& p : model.parameters()) squares = squares + p * p;
  const ag::Value loss = data_loss / static_cast<double>(labels.size()) + 1e-4 * squares;
  for (ag::Value& p : model.parameters()) p.zero_grad();
  loss.backward();
  return {loss, std::move(scores)};
}

namespace {

// micrograd's update, and what the step reports.
StepResult update(ScalarMLP& model, const ag::Value& loss, std::span<const ag::Value> scores, const Dataset& data,
                  double learning_rate) {
  for (ag::Value& p : model.parameters()) p.data() -= learning_rate * p.grad();
  std::vector<double> score_data;
  for (const ag::Value& score : scores) score_data.push_back(score.data());
  return {loss.data(), accuracy(score_data, data.labels)};
}

}  // namespace

StepResult train_step(ScalarMLP& model, const Dataset& data, double learning_rate) {
  const ScalarPass pass = forward_backward(model, data);
  return update(model, pass.loss, pass.scores, data, learning_rate);
}

ReplayedScalarStep::ReplayedScalarStep(ScalarMLP& model, const Dataset& data) : model_(model), data_(data) {}

StepResult ReplayedScalarStep::operator()(double learning_rate) {
  if (!trace_)
    trace_ = ag::trace_values({}, [this](const std::vector<ag::Value>&) {
      ScalarPass pass = forward_backward(model_, data_);
      pass.scores.insert(pass.scores.begin(), pass.loss);
      return std::move(pass.scores);  // the loss, then the scores
    });
  else
    trace_->replay();
  const std::vector<ag::Value>& outputs = trace_->outputs();
  return update(model_, outputs.front(), std::span(outputs).subspan(1), data_, learning_rate);
}

double learning_rate_at(std::int64_t step, std::int64_t steps) {
  return 1.0 - 0.9 * static_cast<double>(step) / static_cast<double>(steps);
}

}  // namespace moons
