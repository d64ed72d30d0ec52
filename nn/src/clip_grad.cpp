#include <nn/clip_grad.hpp>

#include "optim/fused_loop.hpp"

#include <autograd/run_kernel.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

namespace ag::nn::utils {

namespace {

// The gradients of the parameters that have one.
std::vector<Tensor> gradients_of(const std::vector<Tensor>& parameters) {
  std::vector<Tensor> gradients;
  for (const Tensor& parameter : parameters)
    if (parameter.grad().defined()) gradients.push_back(parameter.grad());
  return gradients;
}

// The larger of a and b, or NaN if either is: a NaN gradient gives a NaN norm, as in PyTorch.
double larger(double a, double b) {
  return std::isnan(a) || std::isnan(b) ? std::numeric_limits<double>::quiet_NaN() : std::max(a, b);
}

// Σ |g|^q over the elements (for q = infinity, the largest |g|), summed in double.
double power_sum(const Tensor& gradient, double q) {
  return dispatch_floating(gradient.dtype(), "clip_grad_norm_", [&]<class T>(T) {
    const T* g = gradient.data<T>();
    const std::int64_t n = gradient.numel();
    double result = 0.0;
    if (std::isinf(q)) {
      for (std::int64_t i = 0; i < n; ++i) result = larger(result, std::abs(static_cast<double>(g[i])));
    } else if (q == 2.0) {
      for (std::int64_t i = 0; i < n; ++i) result += static_cast<double>(g[i]) * static_cast<double>(g[i]);
    } else if (q == 1.0) {
      for (std::int64_t i = 0; i < n; ++i) result += std::abs(static_cast<double>(g[i]));
    } else {
      for (std::int64_t i = 0; i < n; ++i) result += std::pow(std::abs(static_cast<double>(g[i])), q);
    }
    return result;
  });
}

void scale(Tensor gradient, double factor) {
  dispatch_floating(gradient.dtype(), "clip_grad_norm_", [&]<class T>(T) {
    T* g = optim::detail::written<T>(gradient);
    const T f = static_cast<T>(factor);
    for (std::int64_t i = 0, n = gradient.numel(); i < n; ++i) g[i] = g[i] * f;
  });
}

}  // namespace

double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  if (!(max_norm >= 0.0)) fail("clip_grad_norm_: max_norm must be non-negative, got {}", max_norm);
  if (!(norm_type > 0.0)) fail("clip_grad_norm_: norm_type must be positive or infinity, got {}", norm_type);
  const std::vector<Tensor> gradients = gradients_of(parameters);
  if (gradients.empty()) return 0.0;
  // The norm and the scaling are one kernel, so that a replay scales by the norm of its own gradients; the norm
  // comes out through `result`, which outlives this call in a trace's copy of the kernel.
  const auto result = std::make_shared<double>(0.0);
  run_kernel(
      "clip_grad_norm_",
      [max_norm, norm_type, error_if_nonfinite, result](const std::vector<Tensor>& gradients) {
        double total_norm = 0.0;
        if (std::isinf(norm_type)) {
          for (const Tensor& gradient : gradients) total_norm = larger(total_norm, power_sum(gradient, norm_type));
        } else {
          for (const Tensor& gradient : gradients) total_norm += power_sum(gradient, norm_type);
          total_norm = norm_type == 2.0 ? std::sqrt(total_norm) : std::pow(total_norm, 1.0 / norm_type);
        }
        *result = total_norm;
        if (error_if_nonfinite && !std::isfinite(total_norm))
          fail(
              "clip_grad_norm_: the total norm of order {} of the gradients is {}, so they cannot be clipped; to scale "
              "them by it anyway, pass error_if_nonfinite = false",
              norm_type, total_norm);
        // NaN stays NaN here, as in PyTorch's clamp, and turns the gradients to NaN.
        const double coefficient = std::min(max_norm / (total_norm + 1e-6), 1.0);
        if (coefficient != 1.0)
          for (const Tensor& gradient : gradients) scale(gradient, coefficient);
      },
      gradients);
  return *result;
}

double clip_grad_norm_(const Tensor& parameter, double max_norm, double norm_type, bool error_if_nonfinite) {
  return clip_grad_norm_(std::vector<Tensor>{parameter}, max_norm, norm_type, error_if_nonfinite);
}

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value) {
  if (!(clip_value >= 0.0)) fail("clip_grad_value_: clip_value must be non-negative, got {}", clip_value);
  for (Tensor gradient : gradients_of(parameters))
    dispatch_floating(gradient.dtype(), "clip_grad_value_", [&]<class T>(T) {
      run_kernel(
          "clip_grad_value_",
          [clip_value](Tensor& gradient) {
            T* g = optim::detail::written<T>(gradient);
            const T high = static_cast<T>(clip_value), low = -high;
            // NaN stays NaN, as in PyTorch's clamp.
            for (std::int64_t i = 0, n = gradient.numel(); i < n; ++i) g[i] = std::min(std::max(g[i], low), high);
          },
          gradient);
    });
}

void clip_grad_value_(const Tensor& parameter, double clip_value) {
  clip_grad_value_(std::vector<Tensor>{parameter}, clip_value);
}

}  // namespace ag::nn::utils
