#include "tutorial/tutorial.hpp"

#include <optional>
#include <span>

namespace tutorial {

namespace {
Tensor vec(double a, double b) { return ag::tensor({a, b}); }
}  // namespace

Tensor make_prediction(const Tensor& input, const Tensor& weights, const Tensor& bias) {
  Tensor layer_1 = (ag::dot(input, weights) + bias).set_label("layer_1");
  return ag::sigmoid(layer_1).set_label("prediction");
}

DotProducts step1_dot_products() {
  const Tensor input = vec(1.72, 1.23);
  return {ag::dot(input, vec(1.26, 0)).item(), ag::dot(input, vec(2.17, 0.32)).item()};
}

Predictions step2_predictions() {
  const Tensor weights = vec(1.45, -0.66);
  const Tensor bias = ag::scalar(0.0);
  return {make_prediction(vec(1.66, 1.56), weights, bias).item(), make_prediction(vec(2, 1.5), weights, bias).item()};
}

ErrorAndUpdate step3_error_and_update() {
  const Tensor input = vec(2, 1.5);
  const double target = 0.0;
  const Tensor weights = vec(1.45, -0.66);
  const Tensor bias = ag::scalar(0.0);
  const Tensor prediction = make_prediction(input, weights, bias);
  const Tensor derivative = 2.0 * (prediction - target);
  const Tensor updated = make_prediction(input, weights - derivative, bias);
  return {(prediction - target).pow(2).item(), (ag::scalar(0.87101915) - target).pow(2).item(), derivative.item(),
          updated.item(), (updated - target).pow(2).item()};
}

ChainRule step4_chain_rule() {
  const Tensor input = vec(2, 1.5);
  const double target = 0.0;
  Tensor weights = vec(1.45, -0.66).requires_grad_().set_label("weights");
  Tensor bias = ag::scalar(0.0, true).set_label("bias");
  const Tensor prediction = make_prediction(input, weights, bias);
  Tensor error = (prediction - target).pow(2).set_label("error");

  ChainRule result;
  // The tutorial's hand-derived gradients.
  const double p = prediction.item();
  const double derror_dprediction = 2 * (p - target);
  const double dprediction_dlayer1 = p * (1 - p);  // sigmoid'(x) = sigmoid(x) * (1 - sigmoid(x))
  const double dlayer1_dbias = 1;
  result.derror_dbias_by_hand = derror_dprediction * dprediction_dlayer1 * dlayer1_dbias;
  for (double dlayer1_dweight : input.to_vector())  // dlayer1_dweights = input
    result.derror_dweights_by_hand.push_back(derror_dprediction * dprediction_dlayer1 * dlayer1_dweight);

  result.weights_explained = ag::explain(error, weights).to_string();
  result.bias_explained = ag::explain(error, bias).to_string();
  error.backward(ag::Tensor(), /*retain_graph=*/true);  // kept, so the drawing can show the gradients
  result.derror_dbias_by_engine = bias.grad().item();
  result.derror_dweights_by_engine = weights.grad().to_vector();
  result.graph_dot = ag::to_dot(error);
  return result;
}

TutorialNetwork::TutorialNetwork()
    : weights_(register_parameter("weights", ag::randn({2}).set_label("weights"))),
      bias_(register_parameter("bias", ag::randn({}).set_label("bias"))) {}

Tensor TutorialNetwork::predict(const Tensor& input) const { return make_prediction(input, weights_, bias_); }

Tensor training_inputs() {
  return ag::tensor({{3, 1.5}, {2, 1}, {4, 1.5}, {3, 4}, {3.5, 0.5}, {2, 0.5}, {5.5, 1}, {1, 1}});
}
Tensor training_targets() { return ag::tensor({0, 1, 0, 1, 0, 1, 1, 0}); }

TrainingResult step5_train(const TrainingSettings& settings) {
  ag::manual_seed(settings.seed);
  const Tensor inputs = training_inputs();
  const Tensor targets = training_targets();
  const std::int64_t count = inputs.size(0);
  TutorialNetwork network;
  ag::optim::SGD sgd(network.parameters(), ag::optim::SGDOptions(settings.learning_rate));

  const auto train_step = [&](const Tensor& input, const Tensor& target) {
    const Tensor loss = ag::nn::functional::mse_loss(network.predict(input), target);
    sgd.zero_grad();
    loss.backward();
    sgd.step();
  };
  // With settings.replay, the first step is recorded with the instance and its target as the trace's inputs, and each
  // later step copies its instance and target in and replays. The instances are split into tensors of their own once.
  std::optional<ag::Trace> recorded_step;
  // The cumulative error's terms, one per instance: eagerly, or replayed from a trace of their first computation.
  const auto squared_errors = [&] {
    std::vector<Tensor> errors;
    for (std::int64_t i = 0; i < count; ++i) errors.push_back((network.predict(inputs[i]) - targets[i]).pow(2));
    return errors;
  };
  std::optional<ag::Trace> recorded_errors;
  std::vector<Tensor> instances;
  for (std::int64_t i = 0; settings.replay && i < count; ++i) {
    instances.push_back(inputs[i]);
    instances.push_back(targets[i]);
  }

  TrainingResult result;
  result.summary = network.summary();
  for (std::int64_t iteration = 0; iteration < settings.iterations; ++iteration) {
    const auto index = static_cast<std::int64_t>(ag::random_bits() % static_cast<std::uint64_t>(count));
    if (!settings.replay) {
      train_step(inputs[index], targets[index]);
    } else {
      const std::span<const Tensor> instance(instances.data() + 2 * index, 2);
      if (recorded_step)
        recorded_step->replay(instance);
      else
        recorded_step = ag::trace({instance.begin(), instance.end()}, [&](const std::vector<Tensor>& in) {
          train_step(in[0], in[1]);
          return std::vector<Tensor>{};
        });
    }

    if (iteration % 100 == 0) {  // the tutorial's measure: the squared error summed over all instances
      ag::NoGradGuard no_grad;
      if (settings.replay && recorded_errors)
        recorded_errors->replay();
      else if (settings.replay)
        recorded_errors = ag::trace({}, [&](const std::vector<Tensor>&) { return squared_errors(); });
      double total = 0.0;
      for (const Tensor& error : settings.replay ? recorded_errors->outputs() : squared_errors()) total += error.item();
      result.iterations.push_back(static_cast<double>(iteration));
      result.cumulative_errors.push_back(total);
    }
  }
  ag::NoGradGuard no_grad;
  for (std::int64_t i = 0; i < count; ++i) result.predictions.push_back(network.predict(inputs[i]).item());
  for (const Tensor& parameter : network.parameters())
    for (double value : parameter.to_vector()) result.parameters.push_back(value);
  return result;
}

}  // namespace tutorial
