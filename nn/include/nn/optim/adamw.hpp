#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <autograd/detail/options_arg.hpp>
#include <nn/optim/optimizer.hpp>

#include <string_view>
#include <vector>

namespace ag::optim {

/// Chainable settings: AdamWOptions(1e-3).betas(0.9, 0.999).weight_decay(1e-2).amsgrad(true).
/// Each setting `x` has a getter x() and a setter x(value) that returns a changed copy; AdamW checks them.
class AdamWOptions {
 public:
  /// Every setting at its default, PyTorch's.
  AdamWOptions() = default;
  /// Learning rate `lr`, every other setting at its default.
  explicit AdamWOptions(double lr) : lr_(lr) {}

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
  /// The decoupled weight decay (default 1e-2): each step first scales the parameter by 1 - lr * weight_decay;
  /// must be non-negative.
  ///@{
  AG_ARG(double, weight_decay) = 1e-2;
  ///@}
  /// Whether to divide by the largest v so far rather than the current one (AMSGrad; default false).
  ///@{
  AG_ARG(bool, amsgrad) = false;
  ///@}

 public:
  /// Sets beta1 and beta2 together, as PyTorch's betas=(beta1, beta2).
  AdamWOptions betas(double beta1, double beta2) const { return this->beta1(beta1).beta2(beta2); }

  /// The settings by name, for OptimizerWithOptions: "lr", "beta1", "beta2", "eps", "weight_decay" and "amsgrad"
  /// (0 or 1).
  Hyperparameters hyperparameters() const;
  /// The settings in `values`, as hyperparameters() names them, for OptimizerWithOptions. Throws ag::Error starting
  /// with `context` if one is missing or "amsgrad" is neither 0 nor 1.
  static AdamWOptions from_hyperparameters(const Hyperparameters& values, std::string_view context);
  /// Throws ag::Error starting with `context` if a setting is out of its range (see each).
  void check(std::string_view context) const;
};

/// Adam with decoupled weight decay (Loshchilov and Hutter), with PyTorch's torch.optim.AdamW update, for each
/// parameter p with gradient g at its step t:
///
///     p *= 1 - lr * weight_decay
///     m = beta1 m + (1 - beta1) g,   v = beta2 v + (1 - beta2) g²
///     v_max = max(v_max, v)                                   (amsgrad only; then v_max replaces v below)
///     p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
///
/// Its state: "exp_avg" (m), "exp_avg_sq" (v), "max_exp_avg_sq" (v_max, with amsgrad only) and "step" (t). The rule
/// runs as one loop over each parameter's elements.
class AdamW : public OptimizerWithOptions<AdamWOptions> {
 public:
  /// AdamW over `parameters` (typically module.parameters()). Throws ag::Error as Optimizer's constructor, or if
  /// `options` fail AdamWOptions::check().
  explicit AdamW(std::vector<Tensor> parameters, AdamWOptions options = {});
  /// AdamW over parameter groups, each with its own options or `defaults`. Throws ag::Error as Optimizer's
  /// constructor, or if options fail AdamWOptions::check().
  explicit AdamW(const std::vector<ParamGroup>& groups, AdamWOptions defaults = {});

 protected:
  void update(Tensor parameter, Tensor gradient, ParameterState& state) override;
  bool keeps_state(const Hyperparameters& values, std::string_view name) const override;
};

}  // namespace ag::optim

#pragma GCC visibility pop
