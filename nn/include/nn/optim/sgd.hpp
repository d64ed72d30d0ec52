#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <autograd/detail/options_arg.hpp>
#include <nn/optim/optimizer.hpp>

#include <string_view>
#include <vector>

namespace ag::optim {

/// Chainable settings: SGDOptions(0.1).momentum(0.9).nesterov(true).weight_decay(1e-4).
/// Each setting `x` has a getter x() and a setter x(value) that returns a changed copy; SGD checks them.
class SGDOptions {
 public:
  /// Settings with learning rate `lr`, which has no default (as in PyTorch), and every other setting at its default.
  explicit SGDOptions(double lr) : lr_(lr) {}

  /// The learning rate; must be non-negative.
  ///@{
  AG_ARG(double, lr);
  ///@}
  /// The momentum factor (default 0: plain SGD); must be non-negative.
  ///@{
  AG_ARG(double, momentum) = 0.0;
  ///@}
  /// Scales the new gradient in the momentum buffer by 1 - dampening (default 0).
  ///@{
  AG_ARG(double, dampening) = 0.0;
  ///@}
  /// Nesterov momentum (default false); needs a positive momentum and zero dampening.
  ///@{
  AG_ARG(bool, nesterov) = false;
  ///@}
  /// The L2 penalty added to the gradient (default 0); must be non-negative.
  ///@{
  AG_ARG(double, weight_decay) = 0.0;
  ///@}

 public:
  /// The settings by name, for OptimizerWithOptions: "lr", "momentum", "dampening", "nesterov" (0 or 1) and
  /// "weight_decay".
  Hyperparameters hyperparameters() const;
  /// The settings in `values`, as hyperparameters() names them, for OptimizerWithOptions. Throws ag::Error starting
  /// with `context` if one is missing or "nesterov" is neither 0 nor 1.
  static SGDOptions from_hyperparameters(const Hyperparameters& values, std::string_view context);
  /// Throws ag::Error starting with `context` if a setting is out of its range (see each) or nesterov is set
  /// without a positive momentum and zero dampening.
  void check(std::string_view context) const;
};

/// Stochastic gradient descent with PyTorch's exact rule, for each parameter p with gradient g:
///
///     g += weight_decay * p
///     buf = g on the first step, then momentum * buf + (1 - dampening) * g
///     g = nesterov ? g + momentum * buf : buf        (when momentum is non-zero)
///     p -= lr * g
///
/// The rule runs as one loop over each parameter's elements, compiled for each combination of the settings.
/// Its state: "momentum_buffer", once a step with momentum has run.
class SGD : public OptimizerWithOptions<SGDOptions> {
 public:
  /// SGD over `parameters` (typically module.parameters()). Throws ag::Error as Optimizer's constructor, or if
  /// `options` fail SGDOptions::check().
  SGD(std::vector<Tensor> parameters, SGDOptions options);
  /// SGD over parameter groups, each with its own options or `defaults`. Throws ag::Error as Optimizer's
  /// constructor, or if options fail SGDOptions::check().
  SGD(const std::vector<ParamGroup>& groups, SGDOptions defaults);

 protected:
  void update(Tensor parameter, Tensor gradient, ParameterState& state) override;
};

}  // namespace ag::optim

#pragma GCC visibility pop
