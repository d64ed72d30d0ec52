#pragma once

// Reductions over all elements, or along `dims` (negative dims count from the end) with optional keepdim.

#include <autograd/tensor.hpp>

#include <cstdint>
#include <vector>

namespace ag {

Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim = false);
// The gradient goes to the first arg-max of each reduced group.
Tensor max(const Tensor& x);
Tensor max(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim = false);

// Indices (as values of x's dtype) of the first maximum: over the flattened tensor, or along `dim`.
Tensor argmax(const Tensor& x);
Tensor argmax(const Tensor& x, std::int64_t dim, bool keepdim = false);

// Sums `x` down to `shape`, which must broadcast to x's shape: the gradient of broadcasting.
Tensor sum_to_shape(const Tensor& x, const Shape& shape);

}  // namespace ag
