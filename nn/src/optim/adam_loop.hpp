#pragma once

// The update loop of Adam and AdamW, which differ only in where the weight decay goes: into the gradient (Adam's L2
// penalty) or straight onto the parameter (AdamW's decoupled decay).

#include "optim/fused_loop.hpp"

#include <autograd/creation.hpp>

#include <cmath>
#include <cstdint>

namespace ag::optim::detail {

struct AdamSettings {
  double lr, beta1, beta2, eps, weight_decay;
  bool decoupled, amsgrad;
};

// 1 - beta1^t and sqrt(1 - beta2^t) for step t.
struct BiasCorrections {
  double beta1 = 0.0, beta2 = 0.0, step = 0.0;  // what they are of; step 0 is none
  double beta1_power = 1.0, beta2_power = 1.0;  // beta1^t, beta2^t
  double first = 0.0, second_sqrt = 0.0;
};

// The bias corrections of step `step`, computed once for all the parameters that take it: std::pow costs more than
// a small parameter's whole update, and much more once beta^t underflows (beta1 = 0.9 after some 7000 steps).
// Then beta^t is 0 for every later t too (betas lie in [0, 1)), so std::pow is not called again.
inline const BiasCorrections& bias_corrections(double beta1, double beta2, double step) {
  thread_local BiasCorrections last;
  if (last.step == step && last.beta1 == beta1 && last.beta2 == beta2) return last;
  const bool later = last.step != 0.0 && step > last.step && last.beta1 == beta1 && last.beta2 == beta2;
  const double beta1_power = later && last.beta1_power == 0.0 ? 0.0 : std::pow(beta1, step);
  const double beta2_power = later && last.beta2_power == 0.0 ? 0.0 : std::pow(beta2, step);
  last = {beta1, beta2, step, beta1_power, beta2_power, 1.0 - beta1_power, std::sqrt(1.0 - beta2_power)};
  return last;
}

// PyTorch's rule in one pass, in its order of operations, with the bias corrections `corrections` of the step.
template <class T, bool kL2Decay, bool kDecoupledDecay, bool kAmsgrad>
[[gnu::always_inline]] inline void adam_loop(std::int64_t n, T* __restrict parameter, const T* __restrict gradient,
                                             T* __restrict exp_avg, T* __restrict exp_avg_sq,
                                             T* __restrict max_exp_avg_sq, AdamSettings s,
                                             BiasCorrections corrections) {
  const T bias_correction2_sqrt = static_cast<T>(corrections.second_sqrt);
  const T negative_step_size = static_cast<T>(-(s.lr / corrections.first));
  const T beta1 = static_cast<T>(s.beta1), beta2 = static_cast<T>(s.beta2);
  const T one_minus_beta1 = static_cast<T>(1.0 - s.beta1), one_minus_beta2 = static_cast<T>(1.0 - s.beta2);
  const T decay = static_cast<T>(s.weight_decay), eps = static_cast<T>(s.eps);
  const T decay_factor = static_cast<T>(1.0 - s.lr * s.weight_decay);
  for (std::int64_t i = 0; i < n; ++i) {
    T p = parameter[i];
    T g = gradient[i];
    if constexpr (kL2Decay) g = g + decay * p;
    if constexpr (kDecoupledDecay) p = p * decay_factor;
    const T m = exp_avg[i] * beta1 + one_minus_beta1 * g;
    T v = exp_avg_sq[i] * beta2 + one_minus_beta2 * g * g;
    exp_avg[i] = m;
    exp_avg_sq[i] = v;
    if constexpr (kAmsgrad) {
      v = max_exp_avg_sq[i] > v ? max_exp_avg_sq[i] : v;
      max_exp_avg_sq[i] = v;
    }
    const T denominator = std::sqrt(v) / bias_correction2_sqrt + eps;
    parameter[i] = p + negative_step_size * m / denominator;
  }
}

// One Adam or AdamW step of `parameter`, creating its state at the first step; `step` counts the steps. The state's
// max_exp_avg_sq is used with amsgrad only.
inline void adam_update(const char* optimizer, Tensor& parameter, const Tensor& gradient, Tensor& exp_avg,
                        Tensor& exp_avg_sq, Tensor* max_exp_avg_sq, Tensor& step, const AdamSettings& settings) {
  if (!step.defined()) {
    exp_avg = zeros_like(parameter);
    exp_avg_sq = zeros_like(parameter);
    if (settings.amsgrad) *max_exp_avg_sq = zeros_like(parameter);
    step = scalar(0.0, kFloat64);
  }
  double& count = *written<double>(step);
  const double t = count + 1.0;
  count = t;
  with_element_type(optimizer, parameter, gradient, [&]<class T>(T) {
    T* max_data = settings.amsgrad ? written<T>(*max_exp_avg_sq) : nullptr;
    T* moment1 = written<T>(exp_avg);
    T* moment2 = written<T>(exp_avg_sq);
    with_flags(
        [&](auto l2, auto decoupled, auto amsgrad) {
          run_loop<&adam_loop<T, decltype(l2)::value, decltype(decoupled)::value, decltype(amsgrad)::value>>(
              parameter.numel(), written<T>(parameter), gradient.data<T>(), moment1, moment2, max_data, settings,
              bias_corrections(settings.beta1, settings.beta2, t));
        },
        !settings.decoupled && settings.weight_decay != 0.0, settings.decoupled && settings.weight_decay != 0.0,
        settings.amsgrad);
  });
}

}  // namespace ag::optim::detail
