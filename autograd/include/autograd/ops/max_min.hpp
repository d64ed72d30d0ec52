#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Largest and smallest elements (src/ops/max_min.cpp), any dtype. NaN wins, as in PyTorch. Reducing over an empty
/// dimension throws, naming the op and the shape: there is no maximum of nothing. In the gradients, g is the
/// incoming gradient.

#include <autograd/tensor.hpp>

#include <cstdint>
#include <vector>

namespace ag {

/// Values and int64 indices of a reduction along one dim, as torch.return_types.max:
/// `auto [values, indices] = ag::max(x, 1);`
struct ValuesIndices {
  /// The largest (or smallest) value of each line; differentiable.
  Tensor values;
  /// The int64 index of that value along the dim; no gradient.
  Tensor indices;
};

/// The largest element, as a 0-d tensor.
/// Gradient: g split equally among the elements equal to the maximum, as in PyTorch.
/// Throws ag::Error if x is empty.
Tensor max(const Tensor& x);
/// The smallest element, as a 0-d tensor.
/// Gradient: g split equally among the elements equal to the minimum, as in PyTorch.
/// Throws ag::Error if x is empty.
Tensor min(const Tensor& x);
/// The largest elements along `dims` (an empty list means all of them), as torch.amax.
/// Gradient: g split equally among the tied elements of each group, as in PyTorch.
/// Throws ag::Error if a dim is out of range or repeated, or the reduced dimensions are empty.
Tensor amax(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim = false);
/// The smallest elements along `dims` (an empty list means all of them), as torch.amin.
/// Gradient: g split equally among the tied elements of each group, as in PyTorch.
/// Throws ag::Error if a dim is out of range or repeated, or the reduced dimensions are empty.
Tensor amin(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim = false);

/// Along one dim: the largest values and the index of the first one in each line.
/// Gradient: d/dx = g at that index only, zeros elsewhere.
/// Throws ag::Error if dim is out of range or that dimension is empty.
ValuesIndices max(const Tensor& x, std::int64_t dim, bool keepdim = false);
/// Along one dim: the smallest values and the index of the first one in each line.
/// Gradient: d/dx = g at that index only, zeros elsewhere.
/// Throws ag::Error if dim is out of range or that dimension is empty.
ValuesIndices min(const Tensor& x, std::int64_t dim, bool keepdim = false);

/// The int64 index of the first maximum of the flattened tensor, as a 0-d tensor. No gradient.
/// Throws ag::Error if x is empty.
Tensor argmax(const Tensor& x);
/// The int64 indices of the first maximum along `dim`. No gradient.
/// Throws ag::Error if dim is out of range or that dimension is empty.
Tensor argmax(const Tensor& x, std::int64_t dim, bool keepdim = false);
/// The int64 index of the first minimum of the flattened tensor, as a 0-d tensor. No gradient.
/// Throws ag::Error if x is empty.
Tensor argmin(const Tensor& x);
/// The int64 indices of the first minimum along `dim`. No gradient.
/// Throws ag::Error if dim is out of range or that dimension is empty.
Tensor argmin(const Tensor& x, std::int64_t dim, bool keepdim = false);

}  // namespace ag

#pragma GCC visibility pop
