#pragma once

#include <nn/optim/optimizer.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ag::optim {

// Chainable settings: AdamOptions(1e-3).betas(0.9, 0.999).eps(1e-8).weight_decay(0).
class AdamOptions {
 public:
  AdamOptions() = default;
  explicit AdamOptions(double lr) : lr_(lr) {}
  AdamOptions lr(double lr) const {
    AdamOptions copy = *this;
    copy.lr_ = lr;
    return copy;
  }
  AdamOptions betas(double beta1, double beta2) const {
    AdamOptions copy = *this;
    copy.beta1_ = beta1;
    copy.beta2_ = beta2;
    return copy;
  }
  AdamOptions eps(double eps) const {
    AdamOptions copy = *this;
    copy.eps_ = eps;
    return copy;
  }
  // Added to the gradient (L2, as torch.optim.Adam), not decoupled as in AdamW.
  AdamOptions weight_decay(double weight_decay) const {
    AdamOptions copy = *this;
    copy.weight_decay_ = weight_decay;
    return copy;
  }
  double lr() const { return lr_; }
  double beta1() const { return beta1_; }
  double beta2() const { return beta2_; }
  double eps() const { return eps_; }
  double weight_decay() const { return weight_decay_; }

 private:
  double lr_ = 1e-3;
  double beta1_ = 0.9;
  double beta2_ = 0.999;
  double eps_ = 1e-8;
  double weight_decay_ = 0.0;
};

struct AdamParamState {
  std::int64_t step = 0;  // steps taken with a gradient, for the bias correction
  Tensor exp_avg;         // first moment; undefined until the first step
  Tensor exp_avg_sq;      // second moment
};

// Adam with PyTorch's update, for each parameter p with gradient g at its step t:
//   g += weight_decay * p
//   m = beta1 m + (1 - beta1) g,   v = beta2 v + (1 - beta2) g²
//   p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
class Adam : public Optimizer {
 public:
  Adam(std::vector<Tensor> parameters, AdamOptions options = {});

  void step() override;
  double learning_rate() const override { return options_.lr(); }
  void set_learning_rate(double learning_rate) override;

  std::string name() const override { return "Adam"; }

  const AdamOptions& options() const { return options_; }
  // One entry per parameter, in the order of parameters().
  std::vector<AdamParamState>& state() { return state_; }
  const std::vector<AdamParamState>& state() const { return state_; }

 protected:
  StateSchema state_schema() const override;
  SavedState saved_state() const override;
  void check_saved_state(const SavedState& saved, std::string_view source) const override;
  void restore(const SavedState& saved) override;

 private:
  AdamOptions options_;
  std::vector<AdamParamState> state_;
};

}  // namespace ag::optim
