#pragma once

#include <nn/optim/optimizer.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace ag::optim {

// Chainable settings: SGDOptions(0.1).momentum(0.9).nesterov(true).weight_decay(1e-4).
class SGDOptions {
 public:
  explicit SGDOptions(double lr) : lr_(lr) {}
  SGDOptions lr(double lr) const {
    SGDOptions copy = *this;
    copy.lr_ = lr;
    return copy;
  }
  SGDOptions momentum(double momentum) const {
    SGDOptions copy = *this;
    copy.momentum_ = momentum;
    return copy;
  }
  SGDOptions dampening(double dampening) const {
    SGDOptions copy = *this;
    copy.dampening_ = dampening;
    return copy;
  }
  SGDOptions nesterov(bool nesterov) const {
    SGDOptions copy = *this;
    copy.nesterov_ = nesterov;
    return copy;
  }
  SGDOptions weight_decay(double weight_decay) const {
    SGDOptions copy = *this;
    copy.weight_decay_ = weight_decay;
    return copy;
  }
  double lr() const { return lr_; }
  double momentum() const { return momentum_; }
  double dampening() const { return dampening_; }
  bool nesterov() const { return nesterov_; }
  double weight_decay() const { return weight_decay_; }

 private:
  double lr_;
  double momentum_ = 0.0;
  double dampening_ = 0.0;
  bool nesterov_ = false;
  double weight_decay_ = 0.0;
};

struct SGDParamState {
  Tensor momentum_buffer;  // undefined until the first step with momentum
};

// Stochastic gradient descent with PyTorch's exact rule, for each parameter p with gradient g:
//   g += weight_decay * p
//   buf = g on the first step, then momentum * buf + (1 - dampening) * g
//   g = nesterov ? g + momentum * buf : buf        (when momentum is non-zero)
//   p -= lr * g
class SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> parameters, SGDOptions options);

  void step() override;
  double learning_rate() const override { return options_.lr(); }
  void set_learning_rate(double learning_rate) override;

  std::string name() const override { return "SGD"; }

  const SGDOptions& options() const { return options_; }
  // One entry per parameter, in the order of parameters().
  std::vector<SGDParamState>& state() { return state_; }
  const std::vector<SGDParamState>& state() const { return state_; }

 protected:
  StateSchema state_schema() const override;
  SavedState saved_state() const override;
  void check_saved_state(const SavedState& saved, std::string_view source) const override;
  void restore(const SavedState& saved) override;

 private:
  SGDOptions options_;
  std::vector<SGDParamState> state_;
};

}  // namespace ag::optim
