#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Ops that rearrange elements without computing new values (src/ops/shape_ops.cpp); any dtype. Each gradient
/// rearranges the incoming gradient g back. Negative dims count from the end.

#include <autograd/tensor.hpp>

#include <cstdint>
#include <vector>

namespace ag {

/// Same elements, new shape; one dimension may be -1 and is inferred. Shares x's values.
/// Gradient: d/dx = g reshaped to x's shape.
/// Throws ag::Error if more than one size is -1, a size is otherwise negative, or the element counts differ.
Tensor reshape(const Tensor& x, const std::vector<std::int64_t>& shape);
/// Same as reshape, under PyTorch's other name: same elements, new shape, one -1 inferred; shares x's values.
/// Gradient: d/dx = g reshaped to x's shape.
/// Throws ag::Error if more than one size is -1, a size is otherwise negative, or the element counts differ.
Tensor view(const Tensor& x, const std::vector<std::int64_t>& shape);
/// x as a 1-D tensor of all its elements; shares x's values.
/// Gradient: d/dx = g reshaped to x's shape.
Tensor flatten(const Tensor& x);

/// x with dimensions dim0 and dim1 swapped, copying the values.
/// Gradient: d/dx = g with the same dimensions swapped back.
/// Throws ag::Error if a dim is out of range.
Tensor transpose(const Tensor& x, std::int64_t dim0, std::int64_t dim1);
/// x with its dimensions reordered: dimension i of the result is x's dimension dims[i]; copies the values.
/// Gradient: d/dx = g permuted by the inverse order.
/// Throws ag::Error if dims does not name each of x's dimensions exactly once.
Tensor permute(const Tensor& x, const std::vector<std::int64_t>& dims);
/// Drops every size-1 dimension; shares x's values.
/// Gradient: d/dx = g reshaped to x's shape.
Tensor squeeze(const Tensor& x);
/// Drops dimension `dim` if its size is 1 (a dimension of another size stays, as in PyTorch); shares x's values.
/// Gradient: d/dx = g reshaped to x's shape.
/// Throws ag::Error if dim is out of range.
Tensor squeeze(const Tensor& x, std::int64_t dim);
/// Inserts a dimension of size 1 at `dim`, in [-x.dim() - 1, x.dim()]; shares x's values.
/// Gradient: d/dx = g reshaped to x's shape.
/// Throws ag::Error if dim is out of range.
Tensor unsqueeze(const Tensor& x, std::int64_t dim);
/// Broadcasts to `shape` (size-1 dims stretch, new dims may lead; -1 keeps a size), copying the values.
/// Gradient: d/dx = sum_to_shape(g, x's shape).
/// Throws ag::Error if `shape` has fewer dimensions than x, or a size is neither x's nor grown from 1.
Tensor expand(const Tensor& x, const std::vector<std::int64_t>& shape);

/// Joins tensors along an existing dimension `dim`.
/// Gradient: each input gets its slice of g along `dim`.
/// Throws ag::Error if the list is empty, the tensors are 0-d, dim is out of range, the dtypes differ, or the shapes
/// differ outside `dim`.
Tensor concat(const std::vector<Tensor>& tensors, std::int64_t dim = 0);
/// concat under PyTorch's name.
inline Tensor cat(const std::vector<Tensor>& tensors, std::int64_t dim = 0) { return concat(tensors, dim); }
/// Joins tensors of one shape along a new dimension `dim`, in [-n - 1, n] for n-dimensional tensors.
/// Gradient: each input gets its slice of g along `dim`, that dimension dropped.
/// Throws ag::Error if the list is empty, the shapes or dtypes differ, or dim is out of range.
Tensor stack(const std::vector<Tensor>& tensors, std::int64_t dim = 0);

}  // namespace ag

#pragma GCC visibility pop
