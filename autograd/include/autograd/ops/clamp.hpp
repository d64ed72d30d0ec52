#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Clamping and elementwise extremes (src/ops/clamp.cpp); float32, float64 and int64. In the gradients, g is the
/// incoming gradient.

#include <autograd/ops/arithmetic.hpp>
#include <autograd/tensor.hpp>

#include <optional>

namespace ag {

/// x limited to [min, max]; either bound may be left out. A NaN stays NaN, as in PyTorch.
/// Gradient: d/dx = g inside the bounds (inclusive), else 0.
/// Throws ag::Error if both bounds are left out, min > max, or x is bool.
Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max);
/// x limited to at least `min`: clamp(x, min, std::nullopt).
/// Gradient: d/dx = g where x >= min, else 0.
/// Throws ag::Error if x is bool.
Tensor clamp_min(const Tensor& x, double min);
/// x limited to at most `max`: clamp(x, std::nullopt, max).
/// Gradient: d/dx = g where x <= max, else 0.
/// Throws ag::Error if x is bool.
Tensor clamp_max(const Tensor& x, double max);

/// Elementwise larger of two tensors, broadcast and promoted as in arithmetic; a NaN on either side wins.
/// Gradient: g goes to the larger input, half to each on ties, as in PyTorch; summed back to each input's shape.
/// Throws ag::Error if the shapes do not broadcast, the dtypes mix float32 and float64, or both are bool.
Tensor maximum(const Tensor& a, const Tensor& b);
/// Elementwise smaller of two tensors, broadcast and promoted as in arithmetic; a NaN on either side wins.
/// Gradient: g goes to the smaller input, half to each on ties, as in PyTorch; summed back to each input's shape.
/// Throws ag::Error if the shapes do not broadcast, the dtypes mix float32 and float64, or both are bool.
Tensor minimum(const Tensor& a, const Tensor& b);
/// maximum(a, b) for a number b, taken as scalar_like(a, b).
template <Number N>
Tensor maximum(const Tensor& a, N b) {
  return maximum(a, scalar_like(a, b));
}
/// maximum(a, b) for a number a, taken as scalar_like(b, a).
template <Number N>
Tensor maximum(N a, const Tensor& b) {
  return maximum(scalar_like(b, a), b);
}
/// minimum(a, b) for a number b, taken as scalar_like(a, b).
template <Number N>
Tensor minimum(const Tensor& a, N b) {
  return minimum(a, scalar_like(a, b));
}
/// minimum(a, b) for a number a, taken as scalar_like(b, a).
template <Number N>
Tensor minimum(N a, const Tensor& b) {
  return minimum(scalar_like(b, a), b);
}

}  // namespace ag

#pragma GCC visibility pop
