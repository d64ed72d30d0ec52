#pragma once

// Clamping and elementwise extremes (src/ops/clamp.cpp); float32, float64 and int64.

#include <autograd/ops/arithmetic.hpp>
#include <autograd/tensor.hpp>

#include <optional>

namespace ag {

// x limited to [min, max]; either bound may be left out. d = g inside the bounds (inclusive), else 0.
Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max);
Tensor clamp_min(const Tensor& x, double min);
Tensor clamp_max(const Tensor& x, double max);

// Elementwise larger/smaller of two tensors; on ties the gradient is split evenly, as in PyTorch.
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
template <Number N>
Tensor maximum(const Tensor& a, N b) {
  return maximum(a, scalar_like(a, b));
}
template <Number N>
Tensor maximum(N a, const Tensor& b) {
  return maximum(scalar_like(b, a), b);
}
template <Number N>
Tensor minimum(const Tensor& a, N b) {
  return minimum(a, scalar_like(a, b));
}
template <Number N>
Tensor minimum(N a, const Tensor& b) {
  return minimum(scalar_like(b, a), b);
}

}  // namespace ag
