#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Indexing (src/ops/indexing.cpp): picking elements, rows and slices, and the scatters that are their gradients.
/// Index tensors are int64, as in PyTorch; negative dims count from the end; index values must lie in [0, size) (no
/// negative indices, as in PyTorch) and every one is checked. Values may be of any dtype. In the gradients, g is
/// the incoming gradient; index tensors get none.

#include <autograd/tensor.hpp>

#include <cstdint>
#include <optional>

namespace ag {

/// x[index] along the first dimension (negative counts from the end), dropping that dimension; shares x's values.
/// Gradient: d/dx = zeros of x's shape with g at row `index`.
/// Throws ag::Error if x is 0-d or index is outside [-size, size) of the first dimension.
Tensor index(const Tensor& x, std::int64_t index);
/// Elements start, start + step, ... < end along `dim`, as x[..., start:end:step] (negative bounds count from the
/// end, both clipped; step >= 1). With step 1 along the first dimension (or after leading dimensions of size 1) it
/// shares x's values.
/// Gradient: d/dx = g placed back at the picked positions, zeros elsewhere.
/// Throws ag::Error if x is 0-d, step is not positive, or dim is out of range.
Tensor slice(const Tensor& x, std::int64_t dim, std::int64_t start, std::int64_t end, std::int64_t step = 1);
/// The `length` elements from `start` along `dim`; unlike slice, out-of-range bounds are an error (torch.narrow).
/// Gradient: d/dx = g placed back at [start, start + length), zeros elsewhere.
/// Throws ag::Error if x is 0-d, dim is out of range, start is outside [-size, size], or start + length does not
/// fit the dimension.
Tensor narrow(const Tensor& x, std::int64_t dim, std::int64_t start, std::int64_t length);

/// `out[i][j] = x[index[i][j]][j]` for dim 0 (and likewise for other dims), as torch.gather: `index` has x's number of
/// dimensions and no dimension larger than x's, except along `dim`.
/// Gradient: d/dx = zeros.scatter_add(dim, index, g).
/// Throws ag::Error if index is not int64, dim is out of range, index's rank differs from x's or it is larger than
/// x outside `dim`, or an index value is out of range.
Tensor gather(const Tensor& x, std::int64_t dim, const Tensor& index);
/// x with `source[i][j]` added at `[index[i][j]][j]` (dim 0), as torch.Tensor.scatter_add (out of place).
/// Gradient: d/dx = g, d/dsource = g.gather(dim, index) (zeros where source is larger than index).
/// Throws ag::Error if index is not int64, x and source differ in dtype, dim is out of range, index's rank differs
/// from x's or source's, index is larger than source or (outside `dim`) than x, or an index value is out of range.
Tensor scatter_add(const Tensor& x, std::int64_t dim, const Tensor& index, const Tensor& source);
/// The entries of x at the 1-D `index` along `dim`.
/// Gradient: d/dx = zeros.index_add(dim, index, g).
/// Throws ag::Error if index is not int64 or not 1-D (a 0-d x takes exactly one index), dim is out of range, or an
/// index value is out of range.
Tensor index_select(const Tensor& x, std::int64_t dim, const Tensor& index);
/// x with alpha * source's slices added at the 1-D `index` along `dim` (repeated indices add up), as
/// torch.Tensor.index_add (out of place).
/// Gradient: d/dx = g, d/dsource = alpha g.index_select(dim, index).
/// Throws ag::Error if index is not int64 or not 1-D, x and source differ in dtype, dim is out of range, source's
/// shape is not x's with index's length along `dim`, alpha is fractional for an integer x, or an index value is out
/// of range.
Tensor index_add(const Tensor& x, std::int64_t dim, const Tensor& index, const Tensor& source, double alpha = 1.0);
/// Rows of `weight` [num_embeddings, dim] picked by int64 `indices` of any shape: the result has shape
/// indices.shape + [dim], as torch.nn.functional.embedding. Rows picked by `padding_idx` get no gradient.
/// Gradient: d/dweight = zeros.index_add(0, indices, g), each index adding its row of g; none to padding_idx's row.
/// Throws ag::Error if indices is not int64, weight is not 2-D, padding_idx is outside [-num_embeddings,
/// num_embeddings), or an index value is out of range.
Tensor embedding(const Tensor& indices, const Tensor& weight, std::optional<std::int64_t> padding_idx = std::nullopt);

}  // namespace ag

#pragma GCC visibility pop
