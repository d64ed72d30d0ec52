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

// PyTorch's rule in one pass, in its order of operations; `step` is the step being taken, from 1.
template <class T, bool kL2Decay, bool kDecoupledDecay, bool kAmsgrad>
void adam_loop(std::int64_t n, T* __restrict parameter, const T* __restrict gradient, T* __restrict exp_avg,
               T* __restrict exp_avg_sq, T* __restrict max_exp_avg_sq, const AdamSettings& s, double step) {
  const double bias_correction1 = 1.0 - std::pow(s.beta1, step);
  const T bias_correction2_sqrt = static_cast<T>(std::sqrt(1.0 - std::pow(s.beta2, step)));
  const T negative_step_size = static_cast<T>(-(s.lr / bias_correction1));
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

// One Adam or AdamW step of `parameter`, creating its state at the first step. The state's max_exp_avg_sq is used
// with amsgrad only.
inline void adam_update(const char* optimizer, Tensor& parameter, const Tensor& gradient, Tensor& exp_avg,
                        Tensor& exp_avg_sq, Tensor* max_exp_avg_sq, Tensor& step, const AdamSettings& settings) {
  if (!step.defined()) {
    exp_avg = zeros_like(parameter);
    exp_avg_sq = zeros_like(parameter);
    if (settings.amsgrad) *max_exp_avg_sq = zeros_like(parameter);
    step = scalar(0.0, kFloat64);
  }
  const double t = step.item() + 1.0;
  step.fill_(t);
  with_element_type(optimizer, parameter, gradient, [&]<class T>(T) {
    T* max_data = settings.amsgrad ? written<T>(*max_exp_avg_sq) : nullptr;
    T* moment1 = written<T>(exp_avg);
    T* moment2 = written<T>(exp_avg_sq);
    with_flags(
        [&](auto l2, auto decoupled, auto amsgrad) {
          adam_loop<T, decltype(l2)::value, decltype(decoupled)::value, decltype(amsgrad)::value>(
              parameter.numel(), written<T>(parameter), gradient.data<T>(), moment1, moment2, max_data, settings, t);
        },
        !settings.decoupled && settings.weight_decay != 0.0, settings.decoupled && settings.weight_decay != 0.0,
        settings.amsgrad);
  });
}

}  // namespace ag::optim::detail
