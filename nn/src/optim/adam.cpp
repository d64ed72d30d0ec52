#include <nn/optim/adam.hpp>

#include "optim/check_learning_rate.hpp"

#include <autograd/creation.hpp>
#include <autograd/ops/arithmetic.hpp>
#include <autograd/ops/math.hpp>

#include <cmath>

namespace ag::optim {

Hyperparameters AdamOptions::hyperparameters() const {
  return {{"lr", lr()}, {"beta1", beta1()}, {"beta2", beta2()}, {"eps", eps()}, {"weight_decay", weight_decay()}};
}

AdamOptions AdamOptions::from_hyperparameters(const Hyperparameters& values, std::string_view) {
  return AdamOptions(hyperparameter(values, "lr"))
      .betas(hyperparameter(values, "beta1"), hyperparameter(values, "beta2"))
      .eps(hyperparameter(values, "eps"))
      .weight_decay(hyperparameter(values, "weight_decay"));
}

void AdamOptions::check(std::string_view context) const {
  detail::check_learning_rate(lr(), context);
  if (!(beta1() >= 0.0 && beta1() < 1.0 && beta2() >= 0.0 && beta2() < 1.0))
    fail("{}: betas must lie in [0, 1), got ({}, {})", context, beta1(), beta2());
  if (!(eps() >= 0.0)) fail("{}: eps must be non-negative, got {}", context, eps());
  if (!(weight_decay() >= 0.0)) fail("{}: weight_decay must be non-negative, got {}", context, weight_decay());
}

Adam::Adam(std::vector<Tensor> parameters, AdamOptions options)
    : OptimizerWithOptions("Adam", std::move(parameters), {{"exp_avg", "exp_avg_sq"}, {"step"}}, options) {}

void Adam::update(Tensor parameter, Tensor gradient, ParameterState& state) {
  const AdamOptions& o = options();
  if (o.weight_decay() != 0.0) gradient = gradient + parameter * o.weight_decay();
  Tensor& exp_avg = state["exp_avg"];
  Tensor& exp_avg_sq = state["exp_avg_sq"];
  Tensor& step = state["step"];
  if (!step.defined()) {
    exp_avg = zeros_like(parameter);
    exp_avg_sq = zeros_like(parameter);
    step = scalar(0.0, kFloat64);
  }
  const double t = step.item() + 1.0;
  step.fill_(t);
  exp_avg.mul_(o.beta1()).add_(gradient, 1.0 - o.beta1());
  exp_avg_sq.mul_(o.beta2()).add_(gradient * gradient, 1.0 - o.beta2());

  const double bias_correction1 = 1.0 - std::pow(o.beta1(), t);
  const double bias_correction2 = 1.0 - std::pow(o.beta2(), t);
  const Tensor denominator = sqrt(exp_avg_sq) / std::sqrt(bias_correction2) + o.eps();
  parameter.add_(exp_avg / denominator, -o.lr() / bias_correction1);
}

}  // namespace ag::optim
