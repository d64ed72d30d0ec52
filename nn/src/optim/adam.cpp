#include <nn/optim/adam.hpp>

#include "optim/adam_loop.hpp"
#include "optim/check_learning_rate.hpp"

namespace ag::optim {

namespace {

// The indices of Adam's state, in the order of its state names.
constexpr std::size_t kExpAvg = 0, kExpAvgSq = 1, kStep = 2;

}  // namespace

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

Adam::Adam(const std::vector<ParamGroup>& groups, AdamOptions defaults)
    : OptimizerWithOptions("Adam", groups, {{"exp_avg", "exp_avg_sq"}, {"step"}}, defaults) {}

void Adam::update(Tensor parameter, Tensor gradient, ParameterState& state) {
  const AdamOptions& o = options(state.group());
  detail::adam_update("Adam", parameter, gradient, state[kExpAvg], state[kExpAvgSq], nullptr, state[kStep],
                      {o.lr(), o.beta1(), o.beta2(), o.eps(), o.weight_decay(), false, false});
}

}  // namespace ag::optim
