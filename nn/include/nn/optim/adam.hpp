#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <autograd/detail/options_arg.hpp>
#include <nn/optim/optimizer.hpp>

#include <string_view>
#include <vector>

namespace ag::optim {

/// Chainable settings: AdamOptions(1e-3).betas(0.9, 0.999).eps(1e-8).weight_decay(0).
/// Each setting `x` has a getter x() and a setter x(value) that returns a changed copy; Adam checks them.
class AdamOptions {
 public:
  /// Every setting at its default, PyTorch's.
  AdamOptions() = default;
  /// Learning rate `lr`, every other setting at its default.
  explicit AdamOptions(double lr) : lr_(lr) {}

  /// The learning rate (default 1e-3); must be non-negative.
  ///@{
  AG_ARG(double, lr) = 1e-3;
  ///@}
  /// The decay of the gradient's running mean m (default 0.9); must lie in [0, 1).
  ///@{
  AG_ARG(double, beta1) = 0.9;
  ///@}
  /// The decay of the squared gradient's running mean v (default 0.999); must lie in [0, 1).
  ///@{
  AG_ARG(double, beta2) = 0.999;
  ///@}
  /// Added to the denominator for numerical stability (default 1e-8); must be non-negative.
  ///@{
  AG_ARG(double, eps) = 1e-8;
  ///@}
  /// The L2 penalty (default 0), added to the gradient as torch.optim.Adam does, not decoupled as in AdamW; must be
  /// non-negative.
  ///@{
  AG_ARG(double, weight_decay) = 0.0;
  ///@}

 public:
  /// Sets beta1 and beta2 together, as PyTorch's betas=(beta1, beta2).
  AdamOptions betas(double beta1, double beta2) const { return this->beta1(beta1).beta2(beta2); }

  /// The settings by name, for OptimizerWithOptions: "lr", "beta1", "beta2", "eps" and "weight_decay".
  Hyperparameters hyperparameters() const;
  /// The settings in `values`, as hyperparameters() names them, for OptimizerWithOptions. Throws ag::Error if one
  /// is missing.
  static AdamOptions from_hyperparameters(const Hyperparameters& values, std::string_view context);
  /// Throws ag::Error starting with `context` if a setting is out of its range (see each).
  void check(std::string_view context) const;
};

/// Adam with PyTorch's update, for each parameter p with gradient g at its step t:
///
///     g += weight_decay * p
///     m = beta1 m + (1 - beta1) g,   v = beta2 v + (1 - beta2) g²
///     p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
///
/// Its state: "exp_avg" (m), "exp_avg_sq" (v) and "step" (t, counting the steps with a gradient). The rule runs as
/// one loop over each parameter's elements.
class Adam : public OptimizerWithOptions<AdamOptions> {
 public:
  /// Adam over `parameters` (typically module.parameters()). Throws ag::Error as Optimizer's constructor, or if
  /// `options` fail AdamOptions::check().
  explicit Adam(std::vector<Tensor> parameters, AdamOptions options = {});
  /// Adam over parameter groups, each with its own options or `defaults`. Throws ag::Error as Optimizer's
  /// constructor, or if options fail AdamOptions::check().
  explicit Adam(const std::vector<ParamGroup>& groups, AdamOptions defaults = {});

 protected:
  void update(Tensor parameter, Tensor gradient, ParameterState& state) override;
};

}  // namespace ag::optim

#pragma GCC visibility pop
