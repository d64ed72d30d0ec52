#pragma once

#include <autograd/detail/options_arg.hpp>
#include <nn/optim/optimizer.hpp>

#include <string_view>
#include <vector>

namespace ag::optim {

// Chainable settings: AdamOptions(1e-3).betas(0.9, 0.999).eps(1e-8).weight_decay(0).
class AdamOptions {
 public:
  AdamOptions() = default;
  explicit AdamOptions(double lr) : lr_(lr) {}

  AG_ARG(double, lr) = 1e-3;
  AG_ARG(double, beta1) = 0.9;
  AG_ARG(double, beta2) = 0.999;
  AG_ARG(double, eps) = 1e-8;
  // Added to the gradient (L2, as torch.optim.Adam), not decoupled as in AdamW.
  AG_ARG(double, weight_decay) = 0.0;

 public:
  AdamOptions betas(double beta1, double beta2) const { return this->beta1(beta1).beta2(beta2); }

  // For OptimizerWithOptions.
  Hyperparameters hyperparameters() const;
  static AdamOptions from_hyperparameters(const Hyperparameters& values, std::string_view context);
  void check(std::string_view context) const;
};

// Adam with PyTorch's update, for each parameter p with gradient g at its step t:
//   g += weight_decay * p
//   m = beta1 m + (1 - beta1) g,   v = beta2 v + (1 - beta2) g²
//   p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// Its state: "exp_avg" (m), "exp_avg_sq" (v) and "step" (t, counting the steps with a gradient).
class Adam : public OptimizerWithOptions<AdamOptions> {
 public:
  explicit Adam(std::vector<Tensor> parameters, AdamOptions options = {});

 protected:
  void update(Tensor parameter, Tensor gradient, ParameterState& state) override;
};

}  // namespace ag::optim
