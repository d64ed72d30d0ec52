#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Sums and means (src/ops/reduction.cpp): over all elements, or along `dims` (negative dims count from the end)
/// with optional keepdim. Integer and bool tensors sum to int64, as in PyTorch; mean needs floating point. In the
/// gradients, g is the incoming gradient.

#include <autograd/tensor.hpp>

#include <concepts>
#include <cstdint>
#include <vector>

namespace ag {

/// The sum of all elements, as a 0-d tensor; floating-point sums accumulate in double.
/// Gradient: d/dx = g broadcast back to x's shape.
Tensor sum(const Tensor& x);
/// Sums along `dims` (an empty list means all of them), keeping them as size 1 if keepdim.
/// Gradient: d/dx = g broadcast back to x's shape.
/// Throws ag::Error if a dim is out of range or repeated.
Tensor sum(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim = false);
/// The mean of all elements, as a 0-d tensor.
/// Gradient: d/dx = g / n broadcast back to x's shape, n the number of elements.
/// Throws ag::Error if x is not floating point or is empty.
Tensor mean(const Tensor& x);
/// Means along `dims` (an empty list means all of them), keeping them as size 1 if keepdim.
/// Gradient: d/dx = g / n broadcast back to x's shape, n the number of elements averaged into each result.
/// Throws ag::Error if x is not floating point, a dim is out of range or repeated, or the reduced dimensions are
/// empty.
Tensor mean(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim = false);
/// One dim without braces, sum(x, 1); templates so that sum(x, {}) still means all dims, not dim 0.
template <std::integral Dim>
Tensor sum(const Tensor& x, Dim dim, bool keepdim = false) {
  return sum(x, std::vector<std::int64_t>{static_cast<std::int64_t>(dim)}, keepdim);
}
/// One dim without braces, mean(x, 1); a template for the same reason as sum's.
template <std::integral Dim>
Tensor mean(const Tensor& x, Dim dim, bool keepdim = false) {
  return mean(x, std::vector<std::int64_t>{static_cast<std::int64_t>(dim)}, keepdim);
}

/// Running sums along `dim`, as torch.cumsum; bool sums to int64.
/// Gradient: d/dx = the reversed running sums of g along `dim`.
/// Throws ag::Error if dim is out of range.
Tensor cumsum(const Tensor& x, std::int64_t dim);

/// Sums `x` down to `shape`, which must broadcast to x's shape: the gradient of broadcasting.
/// Gradient: d/dx = g expanded back to x's shape.
/// Throws ag::Error if `shape` does not broadcast to x's shape.
Tensor sum_to_shape(const Tensor& x, const Shape& shape);

}  // namespace ag

#pragma GCC visibility pop
