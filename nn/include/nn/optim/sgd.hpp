#pragma once

#include <autograd/detail/options_arg.hpp>
#include <nn/optim/optimizer.hpp>

#include <string_view>
#include <vector>

namespace ag::optim {

// Chainable settings: SGDOptions(0.1).momentum(0.9).nesterov(true).weight_decay(1e-4).
class SGDOptions {
 public:
  explicit SGDOptions(double lr) : lr_(lr) {}

  AG_ARG(double, lr);
  AG_ARG(double, momentum) = 0.0;
  AG_ARG(double, dampening) = 0.0;
  AG_ARG(bool, nesterov) = false;
  AG_ARG(double, weight_decay) = 0.0;

 public:
  // For OptimizerWithOptions.
  Hyperparameters hyperparameters() const;
  static SGDOptions from_hyperparameters(const Hyperparameters& values, std::string_view context);
  void check(std::string_view context) const;
};

// Stochastic gradient descent with PyTorch's exact rule, for each parameter p with gradient g:
//   g += weight_decay * p
//   buf = g on the first step, then momentum * buf + (1 - dampening) * g
//   g = nesterov ? g + momentum * buf : buf        (when momentum is non-zero)
//   p -= lr * g
// Its state: "momentum_buffer", once a step with momentum has run.
class SGD : public OptimizerWithOptions<SGDOptions> {
 public:
  SGD(std::vector<Tensor> parameters, SGDOptions options);

 protected:
  void update(Tensor parameter, Tensor gradient, ParameterState& state) override;
};

}  // namespace ag::optim
