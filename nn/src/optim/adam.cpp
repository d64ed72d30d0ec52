#include <nn/optim/adam.hpp>

#include <autograd/creation.hpp>
#include <autograd/grad_mode.hpp>
#include <autograd/ops/elementwise.hpp>

#include <cmath>

namespace ag::optim {

namespace {
void check_learning_rate(double lr) {
  if (!(lr >= 0.0)) fail("Adam: the learning rate must be non-negative, got {}", lr);
}
}  // namespace

Adam::Adam(std::vector<Tensor> parameters, AdamOptions options)
    : Optimizer(std::move(parameters)), options_(options), state_(this->parameters().size()) {
  check_learning_rate(options.lr());
  if (!(options.beta1() >= 0.0 && options.beta1() < 1.0 && options.beta2() >= 0.0 && options.beta2() < 1.0))
    fail("Adam: betas must lie in [0, 1), got ({}, {})", options.beta1(), options.beta2());
  if (!(options.eps() >= 0.0)) fail("Adam: eps must be non-negative, got {}", options.eps());
  if (!(options.weight_decay() >= 0.0)) fail("Adam: weight_decay must be non-negative, got {}", options.weight_decay());
}

void Adam::set_learning_rate(double learning_rate) {
  check_learning_rate(learning_rate);
  options_ = options_.lr(learning_rate);
}

void Adam::step() {
  NoGradGuard no_grad;
  const double beta1 = options_.beta1();
  const double beta2 = options_.beta2();
  for (std::size_t i = 0; i < parameters().size(); ++i) {
    Tensor parameter = parameters()[i];
    if (!parameter.grad().defined()) continue;
    Tensor grad = parameter.grad();  // never updated in place: the engine may share it with other tensors
    if (options_.weight_decay() != 0.0) grad = grad + parameter * options_.weight_decay();

    AdamParamState& state = state_[i];
    if (!state.exp_avg.defined()) {
      state.exp_avg = zeros_like(parameter);
      state.exp_avg_sq = zeros_like(parameter);
    }
    ++state.step;
    state.exp_avg.mul_(beta1).add_(grad, 1.0 - beta1);
    state.exp_avg_sq.mul_(beta2).add_(grad * grad, 1.0 - beta2);

    const double bias_correction1 = 1.0 - std::pow(beta1, static_cast<double>(state.step));
    const double bias_correction2 = 1.0 - std::pow(beta2, static_cast<double>(state.step));
    const Tensor denominator = sqrt(state.exp_avg_sq) / std::sqrt(bias_correction2) + options_.eps();
    parameter.add_(state.exp_avg / denominator, -options_.lr() / bias_correction1);
  }
}

}  // namespace ag::optim
