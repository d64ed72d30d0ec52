#pragma once

// Indexing (src/ops/indexing.cpp): picking elements, rows and slices, and the scatters that are their gradients.
// Index tensors are int64, as in PyTorch; negative dims count from the end; index values must lie in [0, size) (no
// negative indices, as in PyTorch) and every one is checked. Values may be of any dtype.

#include <autograd/tensor.hpp>

#include <cstdint>
#include <optional>

namespace ag {

// x[index] along the first dimension (negative counts from the end), dropping that dimension; shares x's values.
Tensor index(const Tensor& x, std::int64_t index);
// Elements start, start + step, ... < end along `dim`, as x[..., start:end:step] (negative bounds count from the
// end, both clipped; step >= 1). With step 1 along the first dimension (or after leading dimensions of size 1) it
// shares x's values. d = g placed back at the picked positions.
Tensor slice(const Tensor& x, std::int64_t dim, std::int64_t start, std::int64_t end, std::int64_t step = 1);
// The `length` elements from `start` along `dim`; unlike slice, out-of-range bounds are an error (torch.narrow).
Tensor narrow(const Tensor& x, std::int64_t dim, std::int64_t start, std::int64_t length);

// out[i][j] = x[index[i][j]][j] for dim 0 (and likewise for other dims), as torch.gather: `index` has x's number of
// dimensions and no dimension larger than x's, except along `dim`. d x = zeros.scatter_add(dim, index, g).
Tensor gather(const Tensor& x, std::int64_t dim, const Tensor& index);
// x with source[i][j] added at [index[i][j]][j] (dim 0), as torch.Tensor.scatter_add (out of place).
// d x = g, d source = g.gather(dim, index).
Tensor scatter_add(const Tensor& x, std::int64_t dim, const Tensor& index, const Tensor& source);
// The entries of x at the 1-D `index` along `dim`. d x = zeros.index_add(dim, index, g).
Tensor index_select(const Tensor& x, std::int64_t dim, const Tensor& index);
// x with alpha * source's slices added at the 1-D `index` along `dim` (repeated indices add up), as
// torch.Tensor.index_add (out of place). d x = g, d source = alpha g.index_select(dim, index).
Tensor index_add(const Tensor& x, std::int64_t dim, const Tensor& index, const Tensor& source, double alpha = 1.0);
// Rows of `weight` [num_embeddings, dim] picked by int64 `indices` of any shape: the result has shape
// indices.shape + [dim], as torch.nn.functional.embedding. Rows picked by `padding_idx` get no gradient.
Tensor embedding(const Tensor& indices, const Tensor& weight, std::optional<std::int64_t> padding_idx = std::nullopt);

}  // namespace ag
