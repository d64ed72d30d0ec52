#include <nn/optim/rmsprop.hpp>

#include "optim/check_learning_rate.hpp"
#include "optim/fused_loop.hpp"

#include <autograd/creation.hpp>

#include <cmath>
#include <cstdint>

namespace ag::optim {

namespace {

// The indices of RMSprop's state, in the order of its state names.
constexpr std::size_t kSquareAvg = 0, kMomentumBuffer = 1, kGradAvg = 2, kStep = 3;

struct RMSpropCoefficients {
  double lr, alpha, eps, weight_decay, momentum;
};

// PyTorch's rule in one pass, in its order of operations.
template <class T, bool kDecay, bool kCentered, bool kMomentum>
[[gnu::always_inline]] inline void rmsprop_loop(std::int64_t n, T* __restrict parameter, const T* __restrict gradient,
                                                T* __restrict square_avg, T* __restrict grad_avg, T* __restrict buffer,
                                                RMSpropCoefficients c) {
  const T lr = static_cast<T>(c.lr), alpha = static_cast<T>(c.alpha), one_minus_alpha = static_cast<T>(1.0 - c.alpha);
  const T eps = static_cast<T>(c.eps), decay = static_cast<T>(c.weight_decay), momentum = static_cast<T>(c.momentum);
  for (std::int64_t i = 0; i < n; ++i) {
    T g = gradient[i];
    if constexpr (kDecay) g = g + decay * parameter[i];
    const T s = square_avg[i] * alpha + one_minus_alpha * g * g;
    square_avg[i] = s;
    T average;
    if constexpr (kCentered) {
      const T a = grad_avg[i] * alpha + one_minus_alpha * g;
      grad_avg[i] = a;
      average = std::sqrt(s + T(-1) * a * a) + eps;
    } else {
      average = std::sqrt(s) + eps;
    }
    if constexpr (kMomentum) {
      const T b = buffer[i] * momentum + g / average;
      buffer[i] = b;
      parameter[i] = parameter[i] - lr * b;
    } else {
      parameter[i] = parameter[i] + -lr * g / average;
    }
  }
}

}  // namespace

Hyperparameters RMSpropOptions::hyperparameters() const {
  return {{"lr", lr()},
          {"alpha", alpha()},
          {"eps", eps()},
          {"weight_decay", weight_decay()},
          {"momentum", momentum()},
          {"centered", centered() ? 1.0 : 0.0}};
}

RMSpropOptions RMSpropOptions::from_hyperparameters(const Hyperparameters& values, std::string_view context) {
  const double centered = hyperparameter(values, "centered");
  if (centered != 0.0 && centered != 1.0) fail("{}: centered must be 0 or 1, got {}", context, centered);
  return RMSpropOptions(hyperparameter(values, "lr"))
      .alpha(hyperparameter(values, "alpha"))
      .eps(hyperparameter(values, "eps"))
      .weight_decay(hyperparameter(values, "weight_decay"))
      .momentum(hyperparameter(values, "momentum"))
      .centered(centered == 1.0);
}

void RMSpropOptions::check(std::string_view context) const {
  detail::check_learning_rate(lr(), context);
  if (!(alpha() >= 0.0)) fail("{}: alpha must be non-negative, got {}", context, alpha());
  if (!(eps() >= 0.0)) fail("{}: eps must be non-negative, got {}", context, eps());
  if (!(weight_decay() >= 0.0)) fail("{}: weight_decay must be non-negative, got {}", context, weight_decay());
  if (!(momentum() >= 0.0)) fail("{}: momentum must be non-negative, got {}", context, momentum());
}

RMSprop::RMSprop(std::vector<Tensor> parameters, RMSpropOptions options)
    : OptimizerWithOptions("RMSprop", std::move(parameters), {{"square_avg", "momentum_buffer", "grad_avg"}, {"step"}},
                           options) {}

RMSprop::RMSprop(const std::vector<ParamGroup>& groups, RMSpropOptions defaults)
    : OptimizerWithOptions("RMSprop", groups, {{"square_avg", "momentum_buffer", "grad_avg"}, {"step"}}, defaults) {}

void RMSprop::update(Tensor parameter, Tensor gradient, ParameterState& state) {
  const RMSpropOptions& o = options(state.group());
  const bool momentum = o.momentum() > 0.0;
  Tensor& square_avg = state[kSquareAvg];
  Tensor& buffer = state[kMomentumBuffer];
  Tensor& grad_avg = state[kGradAvg];
  Tensor& step = state[kStep];
  if (!step.defined()) {
    square_avg = zeros_like(parameter);
    if (momentum) buffer = zeros_like(parameter);
    if (o.centered()) grad_avg = zeros_like(parameter);
    step = scalar(0.0, kFloat64);
  }
  *detail::written<double>(step) += 1.0;
  const RMSpropCoefficients coefficients{o.lr(), o.alpha(), o.eps(), o.weight_decay(), o.momentum()};
  detail::with_element_type("RMSprop", parameter, gradient, [&]<class T>(T) {
    T* buffer_data = momentum ? detail::written<T>(buffer) : nullptr;
    T* grad_avg_data = o.centered() ? detail::written<T>(grad_avg) : nullptr;
    T* square_avg_data = detail::written<T>(square_avg);
    detail::with_flags(
        [&](auto decay, auto centered, auto with_momentum) {
          detail::run_loop<
              &rmsprop_loop<T, decltype(decay)::value, decltype(centered)::value, decltype(with_momentum)::value>>(
              parameter.numel(), detail::written<T>(parameter), gradient.data<T>(), square_avg_data, grad_avg_data,
              buffer_data, coefficients);
        },
        o.weight_decay() != 0.0, o.centered(), momentum);
  });
}

bool RMSprop::keeps_state(const Hyperparameters& values, std::string_view name) const {
  if (name == "momentum_buffer") return hyperparameter(values, "momentum") > 0.0;
  if (name == "grad_avg") return hyperparameter(values, "centered") == 1.0;
  return true;
}

}  // namespace ag::optim
