#include <nn/optim/adam.hpp>

#include "optim/check_learning_rate.hpp"

#include <autograd/creation.hpp>
#include <autograd/grad_mode.hpp>
#include <autograd/ops/conversion.hpp>
#include <autograd/ops/elementwise.hpp>

#include <cmath>

namespace ag::optim {

using detail::check_learning_rate;

namespace {

void check_options(const AdamOptions& options, std::string_view context) {
  check_learning_rate(options.lr(), context);
  if (!(options.beta1() >= 0.0 && options.beta1() < 1.0 && options.beta2() >= 0.0 && options.beta2() < 1.0))
    fail("{}: betas must lie in [0, 1), got ({}, {})", context, options.beta1(), options.beta2());
  if (!(options.eps() >= 0.0)) fail("{}: eps must be non-negative, got {}", context, options.eps());
  if (!(options.weight_decay() >= 0.0))
    fail("{}: weight_decay must be non-negative, got {}", context, options.weight_decay());
}

AdamOptions options_from(const std::map<std::string, double, std::less<>>& values) {
  return AdamOptions(values.at("lr"))
      .betas(values.at("beta1"), values.at("beta2"))
      .eps(values.at("eps"))
      .weight_decay(values.at("weight_decay"));
}

constexpr const char* kStep = "step";
constexpr const char* kExpAvg = "exp_avg";
constexpr const char* kExpAvgSq = "exp_avg_sq";

}  // namespace

Adam::Adam(std::vector<Tensor> parameters, AdamOptions options)
    : Optimizer(std::move(parameters)), options_(options), state_(this->parameters().size()) {
  check_options(options, "Adam");
}

void Adam::set_learning_rate(double learning_rate) {
  check_learning_rate(learning_rate, "Adam");
  options_ = options_.lr(learning_rate);
}

Optimizer::StateSchema Adam::state_schema() const {
  return {{"lr", "beta1", "beta2", "eps", "weight_decay"}, {kExpAvg, kExpAvgSq}, {kStep}};
}

Optimizer::SavedState Adam::saved_state() const {
  SavedState saved;
  saved.hyperparameters = {{"lr", options_.lr()},
                           {"beta1", options_.beta1()},
                           {"beta2", options_.beta2()},
                           {"eps", options_.eps()},
                           {"weight_decay", options_.weight_decay()}};
  saved.buffers.resize(state_.size());
  for (std::size_t i = 0; i < state_.size(); ++i) {
    if (!state_[i].exp_avg.defined()) continue;
    saved.buffers[i] = {{kStep, scalar(static_cast<double>(state_[i].step), kFloat64)},
                        {kExpAvg, state_[i].exp_avg},
                        {kExpAvgSq, state_[i].exp_avg_sq}};
  }
  return saved;
}

void Adam::check_saved_state(const SavedState& saved, std::string_view source) const {
  check_options(options_from(saved.hyperparameters), fmt::format("{}: Adam", source));
  for (std::size_t i = 0; i < saved.buffers.size(); ++i) {
    const auto& buffers = saved.buffers[i];
    if (buffers.empty()) continue;
    if (buffers.size() != 3)
      fail("{}: Adam: parameter {} needs all of state.{}.step, exp_avg and exp_avg_sq or none, got {} of them", source,
           i, i, buffers.size());
    const double step = buffers.at(kStep).item();
    if (!(step >= 1.0 && step <= 9007199254740992.0 && step == std::floor(step)))
      fail("{}: Adam: state.{}.step must be a positive whole number, got {}", source, i, step);
  }
}

void Adam::restore(const SavedState& saved) {
  options_ = options_from(saved.hyperparameters);
  for (std::size_t i = 0; i < state_.size(); ++i) {
    const auto& buffers = saved.buffers[i];
    AdamParamState& state = state_[i];
    state = {};
    if (buffers.empty()) continue;
    state.step = static_cast<std::int64_t>(buffers.at(kStep).item());
    state.exp_avg = clone(buffers.at(kExpAvg));
    state.exp_avg_sq = clone(buffers.at(kExpAvgSq));
  }
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
