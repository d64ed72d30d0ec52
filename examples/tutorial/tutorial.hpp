#pragma once

// The steps of the "neural network from scratch with NumPy" tutorial, computed with the framework. main.cpp
// prints them; tests/examples checks them against the tutorial's numbers.

#include <autograd/autograd.hpp>
#include <nn/nn.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace tutorial {

using ag::Tensor;

// prediction = sigmoid(dot(input, weights) + bias), with the intermediate results labelled as the tutorial names them.
Tensor make_prediction(const Tensor& input, const Tensor& weights, const Tensor& bias);

struct DotProducts {
  double with_weights_1;  // [1.72, 1.23] · [1.26, 0]
  double with_weights_2;  // [1.72, 1.23] · [2.17, 0.32]
};
DotProducts step1_dot_products();

struct Predictions {
  double right;  // input [1.66, 1.56], target 1
  double wrong;  // input [2, 1.5], target 0
};
Predictions step2_predictions();

struct ErrorAndUpdate {
  double mse;                        // of the full-precision prediction
  double mse_of_printed_prediction;  // the tutorial squares the printed 0.87101915
  double derivative;                 // 2 * (prediction - target)
  double updated_prediction;         // after weights -= derivative
  double updated_error;
};
ErrorAndUpdate step3_error_and_update();

struct ChainRule {
  double derror_dbias_by_hand;
  std::vector<double> derror_dweights_by_hand;
  double derror_dbias_by_engine;
  std::vector<double> derror_dweights_by_engine;
  std::string weights_explained;  // ag::explain's account of each gradient
  std::string bias_explained;
  std::string graph_dot;  // the graph with its gradients, in Graphviz DOT
};
ChainRule step4_chain_rule();

// The tutorial's NeuralNetwork class: a weight vector and a bias drawn from a standard normal.
class TutorialNetwork : public ag::nn::Module {
 public:
  TutorialNetwork();
  std::string name() const override { return "TutorialNetwork"; }
  Tensor predict(const Tensor& input) const;

 private:
  Tensor weights_;
  Tensor bias_;
};

struct TrainingSettings {
  std::int64_t iterations = 10000;
  double learning_rate = 0.1;
  std::uint64_t seed = 42;
  // Record the first step with ag::trace and replay it for the others (the same numbers, bitwise, sooner).
  bool replay = false;
};

struct TrainingResult {
  std::string summary;                    // the network's module summary
  std::vector<double> iterations;         // every 100th iteration
  std::vector<double> cumulative_errors;  // the squared error summed over all instances at those iterations
  std::vector<double> predictions;        // after training, one per instance
  std::vector<double> parameters;         // after training: the weights, then the bias
};

// The tutorial's data: eight instances with two features each.
Tensor training_inputs();
Tensor training_targets();

// Online SGD as in the tutorial: each iteration one random instance, an MSE loss, backward(), an SGD step.
TrainingResult step5_train(const TrainingSettings& settings);

}  // namespace tutorial
