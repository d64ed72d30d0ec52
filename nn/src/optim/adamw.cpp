#include <nn/optim/adamw.hpp>

#include "optim/adam_loop.hpp"
#include "optim/check_learning_rate.hpp"

namespace ag::optim {

namespace {

// The indices of AdamW's state, in the order of its state names.
constexpr std::size_t kExpAvg = 0, kExpAvgSq = 1, kMaxExpAvgSq = 2, kStep = 3;

}  // namespace

Hyperparameters AdamWOptions::hyperparameters() const {
  return {{"lr", lr()},
          {"beta1", beta1()},
          {"beta2", beta2()},
          {"eps", eps()},
          {"weight_decay", weight_decay()},
          {"amsgrad", amsgrad() ? 1.0 : 0.0}};
}

AdamWOptions AdamWOptions::from_hyperparameters(const Hyperparameters& values, std::string_view context) {
  const double amsgrad = hyperparameter(values, "amsgrad");
  if (amsgrad != 0.0 && amsgrad != 1.0) fail("{}: amsgrad must be 0 or 1, got {}", context, amsgrad);
  return AdamWOptions(hyperparameter(values, "lr"))
      .betas(hyperparameter(values, "beta1"), hyperparameter(values, "beta2"))
      .eps(hyperparameter(values, "eps"))
      .weight_decay(hyperparameter(values, "weight_decay"))
      .amsgrad(amsgrad == 1.0);
}

void AdamWOptions::check(std::string_view context) const {
  detail::check_learning_rate(lr(), context);
  if (!(beta1() >= 0.0 && beta1() < 1.0 && beta2() >= 0.0 && beta2() < 1.0))
    fail("{}: betas must lie in [0, 1), got ({}, {})", context, beta1(), beta2());
  if (!(eps() >= 0.0)) fail("{}: eps must be non-negative, got {}", context, eps());
  if (!(weight_decay() >= 0.0)) fail("{}: weight_decay must be non-negative, got {}", context, weight_decay());
}

AdamW::AdamW(std::vector<Tensor> parameters, AdamWOptions options)
    : OptimizerWithOptions("AdamW", std::move(parameters), {{"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}, {"step"}},
                           options) {}

AdamW::AdamW(const std::vector<ParamGroup>& groups, AdamWOptions defaults)
    : OptimizerWithOptions("AdamW", groups, {{"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}, {"step"}}, defaults) {}

void AdamW::update(Tensor parameter, Tensor gradient, ParameterState& state) {
  const AdamWOptions& o = options(state.group());
  detail::adam_update("AdamW", parameter, gradient, state[kExpAvg], state[kExpAvgSq], &state[kMaxExpAvgSq],
                      state[kStep], {o.lr(), o.beta1(), o.beta2(), o.eps(), o.weight_decay(), true, o.amsgrad()});
}

bool AdamW::keeps_state(const Hyperparameters& values, std::string_view name) const {
  return name != "max_exp_avg_sq" || hyperparameter(values, "amsgrad") == 1.0;
}

}  // namespace ag::optim
