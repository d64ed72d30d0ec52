#pragma once

// Sums and means (src/ops/reduction.cpp): over all elements, or along `dims` (negative dims count from the end)
// with optional keepdim. Integer and bool tensors sum to int64, as in PyTorch; mean needs floating point.

#include <autograd/tensor.hpp>

#include <concepts>
#include <cstdint>
#include <vector>

namespace ag {

// d = g broadcast back to x's shape
Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim = false);
// d = g / n broadcast back to x's shape
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim = false);
// One dim without braces, sum(x, 1); templates so that sum(x, {}) still means all dims, not dim 0.
template <std::integral Dim>
Tensor sum(const Tensor& x, Dim dim, bool keepdim = false) {
  return sum(x, std::vector<std::int64_t>{static_cast<std::int64_t>(dim)}, keepdim);
}
template <std::integral Dim>
Tensor mean(const Tensor& x, Dim dim, bool keepdim = false) {
  return mean(x, std::vector<std::int64_t>{static_cast<std::int64_t>(dim)}, keepdim);
}

// Running sums along `dim`, as torch.cumsum; d = reversed running sums of g.
Tensor cumsum(const Tensor& x, std::int64_t dim);

// Sums `x` down to `shape`, which must broadcast to x's shape: the gradient of broadcasting.
Tensor sum_to_shape(const Tensor& x, const Shape& shape);

}  // namespace ag
