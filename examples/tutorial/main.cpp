// The "build a neural network from scratch with NumPy" tutorial, step by step, with the framework deriving
// the gradients that the tutorial works out by hand.

#include <autograd/autograd.hpp>
// #include <nn/nn.hpp>

#include <fmt/format.h>

#include <filesystem>

#include "common/args.hpp"
#include "common/plot.hpp"

namespace {

using ag::Tensor;

Tensor vec(double a, double b) { return ag::tensor({a, b}); }

// The tutorial's network: prediction = sigmoid(dot(input, weights) + bias).
Tensor make_prediction(const Tensor& input, const Tensor& weights, const Tensor& bias) {
  Tensor layer_1 = (ag::dot(input, weights) + bias).set_label("layer_1");
  return ag::sigmoid(layer_1).set_label("prediction");
}

void heading(const char* title) { fmt::print("\n== {} ==\n", title); }

void step1_dot_products() {
  heading("Step 1: dot products");
  const Tensor input = vec(1.72, 1.23);
  // Printed in full, as Python prints a float: float64 rounding shows in the last digits, as in NumPy.
  fmt::print("dot([1.72, 1.23], weights_1 = [1.26, 0])    = {}   (tutorial: 2.1672)\n",
             ag::dot(input, vec(1.26, 0)).item());
  fmt::print("dot([1.72, 1.23], weights_2 = [2.17, 0.32]) = {}   (tutorial: 4.1259...)\n",
             ag::dot(input, vec(2.17, 0.32)).item());
}

void step2_predictions() {
  heading("Step 2: a two-layer network");
  const Tensor weights = vec(1.45, -0.66);
  const Tensor bias = ag::scalar(0.0);
  fmt::print("predict([1.66, 1.56]) = {:.7f}   (tutorial: 0.7985731, target 1: right)\n",
             make_prediction(vec(1.66, 1.56), weights, bias).item());
  fmt::print("predict([2, 1.5])     = {:.8f}  (tutorial: 0.87101915, target 0: wrong)\n",
             make_prediction(vec(2, 1.5), weights, bias).item());
}

void step3_error_and_update() {
  heading("Step 3: the error and one step downhill");
  const Tensor input = vec(2, 1.5);
  const double target = 0.0;
  Tensor weights = vec(1.45, -0.66);
  const Tensor bias = ag::scalar(0.0);
  const Tensor prediction = make_prediction(input, weights, bias);
  const Tensor mse = (prediction - target).pow(2);
  const Tensor derivative = 2.0 * (prediction - target);
  // The tutorial squares the prediction as printed, 0.87101915; both are shown.
  const Tensor printed_prediction = ag::scalar(0.87101915);
  fmt::print("mse        = {:.10f}   from the full prediction\n", mse.item());
  fmt::print("mse        = {}   from the printed 0.87101915 (tutorial: 0.7586743596667225)\n",
             (printed_prediction - target).pow(2).item());
  fmt::print("derivative = {:.7f}            (tutorial: 1.7420383)\n", derivative.item());
  weights = weights - derivative;
  const Tensor updated = make_prediction(input, weights, bias);
  fmt::print(
      "after weights - derivative: prediction = {:.8f} (tutorial: 0.01496248), error = {:.8f} "
      "(tutorial: 0.00022388)\n",
      updated.item(), (updated - target).pow(2).item());
}

void step4_chain_rule(const std::filesystem::path& out) {
  heading("Step 4: the chain rule, by hand and by the engine");
  const Tensor input = vec(2, 1.5);
  const double target = 0.0;
  Tensor weights = vec(1.45, -0.66).requires_grad_().set_label("weights");
  Tensor bias = ag::scalar(0.0, true).set_label("bias");
  const Tensor prediction = make_prediction(input, weights, bias);
  Tensor error = (prediction - target).pow(2).set_label("error");

  // The tutorial's hand-derived gradients.
  const double p = prediction.item();
  const double derror_dprediction = 2 * (p - target);
  const double dprediction_dlayer1 = p * (1 - p);  // sigmoid'(x) = sigmoid(x) * (1 - sigmoid(x))
  const double dlayer1_dbias = 1;
  const double derror_dbias = derror_dprediction * dprediction_dlayer1 * dlayer1_dbias;
  const Tensor derror_dweights = derror_dprediction * dprediction_dlayer1 * input;  // dlayer1_dweights = input

  fmt::print("The engine explains the chain rule from the graph:\n{}{}", ag::explain(error, weights).to_string(),
             ag::explain(error, bias).to_string());
  const std::filesystem::path dot_file = out / "tutorial_graph.dot";
  error.backward();
  examples::write_text(dot_file, ag::to_dot(error.detach().set_label("error (freed graph)")));
  fmt::print("\n{:<18} {:>26} {:>26}\n", "", "by hand (tutorial)", "by backward()");
  fmt::print("{:<18} {:>26.10f} {:>26.10f}\n", "derror_dbias", derror_dbias, bias.grad().item());
  for (int i = 0; i < 2; ++i)
    fmt::print("{:<18} {:>26.10f} {:>26.10f}\n", fmt::format("derror_dweights[{}]", i), derror_dweights.at({i}),
               weights.grad().at({i}));
}

}  // namespace

int tutorial_main(int argc, char** argv) {
  examples::Args args("tutorial", "The NumPy neural-network tutorial, with gradients from the autograd engine.");
  args.flag("iterations", "10000", "training iterations of online SGD in step 5")
      .flag("learning-rate", "0.1", "SGD learning rate in step 5")
      .flag("seed", "42", "seed for the initial weights and the order of the training instances")
      .flag("out", "out/tutorial", "folder for cumulative_error.png/.csv and the graph drawings");
  if (!args.parse(argc, argv)) return 0;
  const std::filesystem::path out = args.text("out");
  std::filesystem::create_directories(out);
  ag::set_default_dtype(ag::kFloat64);  // the tutorial computes in float64, as NumPy does

  step1_dot_products();
  step2_predictions();
  step3_error_and_update();
  step4_chain_rule(out);
  return 0;
}

int main(int argc, char** argv) { return examples::run_example(tutorial_main, argc, argv); }
