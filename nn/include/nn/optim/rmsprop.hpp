#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <autograd/detail/options_arg.hpp>
#include <nn/optim/optimizer.hpp>

#include <string_view>
#include <vector>

namespace ag::optim {

/// Chainable settings: RMSpropOptions(1e-2).alpha(0.99).momentum(0.9).centered(true).
/// Each setting `x` has a getter x() and a setter x(value) that returns a changed copy; RMSprop checks them.
class RMSpropOptions {
 public:
  /// Every setting at its default, PyTorch's.
  RMSpropOptions() = default;
  /// Learning rate `lr`, every other setting at its default.
  explicit RMSpropOptions(double lr) : lr_(lr) {}

  /// The learning rate (default 1e-2); must be non-negative.
  ///@{
  AG_ARG(double, lr) = 1e-2;
  ///@}
  /// The decay of the squared gradient's running mean (default 0.99); must be non-negative.
  ///@{
  AG_ARG(double, alpha) = 0.99;
  ///@}
  /// Added to the denominator for numerical stability (default 1e-8); must be non-negative.
  ///@{
  AG_ARG(double, eps) = 1e-8;
  ///@}
  /// The L2 penalty added to the gradient (default 0); must be non-negative.
  ///@{
  AG_ARG(double, weight_decay) = 0.0;
  ///@}
  /// The momentum factor (default 0: none); must be non-negative.
  ///@{
  AG_ARG(double, momentum) = 0.0;
  ///@}
  /// Whether to divide by an estimate of the gradient's variance rather than its mean square (default false).
  ///@{
  AG_ARG(bool, centered) = false;
  ///@}

 public:
  /// The settings by name, for OptimizerWithOptions: "lr", "alpha", "eps", "weight_decay", "momentum" and
  /// "centered" (0 or 1).
  Hyperparameters hyperparameters() const;
  /// The settings in `values`, as hyperparameters() names them, for OptimizerWithOptions. Throws ag::Error starting
  /// with `context` if one is missing or "centered" is neither 0 nor 1.
  static RMSpropOptions from_hyperparameters(const Hyperparameters& values, std::string_view context);
  /// Throws ag::Error starting with `context` if a setting is out of its range (see each).
  void check(std::string_view context) const;
};

/// RMSprop with PyTorch's torch.optim.RMSprop update, for each parameter p with gradient g:
///
///     g += weight_decay * p
///     s = alpha s + (1 - alpha) g²
///     a = alpha a + (1 - alpha) g,   d = sqrt(s - a²) + eps        (centered)
///                                    d = sqrt(s) + eps              (otherwise)
///     buf = momentum buf + g / d,  p -= lr * buf                    (momentum > 0)
///     p -= lr * g / d                                               (otherwise)
///
/// Its state: "square_avg" (s), "momentum_buffer" (buf, with momentum only), "grad_avg" (a, centered only) and
/// "step". The rule runs as one loop over each parameter's elements.
class RMSprop : public OptimizerWithOptions<RMSpropOptions> {
 public:
  /// RMSprop over `parameters` (typically module.parameters()). Throws ag::Error as Optimizer's constructor, or if
  /// `options` fail RMSpropOptions::check().
  explicit RMSprop(std::vector<Tensor> parameters, RMSpropOptions options = {});
  /// RMSprop over parameter groups, each with its own options or `defaults`. Throws ag::Error as Optimizer's
  /// constructor, or if options fail RMSpropOptions::check().
  explicit RMSprop(const std::vector<ParamGroup>& groups, RMSpropOptions defaults = {});

 protected:
  void update(Tensor parameter, Tensor gradient, ParameterState& state) override;
  bool keeps_state(const Hyperparameters& values, std::string_view name) const override;
};

}  // namespace ag::optim

#pragma GCC visibility pop
