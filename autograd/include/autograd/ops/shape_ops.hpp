#pragma once

// Ops that rearrange elements without computing new values.

#include <autograd/tensor.hpp>

#include <cstdint>
#include <vector>

namespace ag {

// Same elements, new shape; one dimension may be -1 and is inferred. reshape and view share the values.
Tensor reshape(const Tensor& x, const std::vector<std::int64_t>& shape);
Tensor view(const Tensor& x, const std::vector<std::int64_t>& shape);
Tensor flatten(const Tensor& x);

Tensor transpose(const Tensor& x, std::int64_t dim0, std::int64_t dim1);
Tensor permute(const Tensor& x, const std::vector<std::int64_t>& dims);
Tensor squeeze(const Tensor& x);  // drops every size-1 dimension
Tensor squeeze(const Tensor& x, std::int64_t dim);
Tensor unsqueeze(const Tensor& x, std::int64_t dim);
// Broadcasts to `shape` (size-1 dims stretch, new dims may lead; -1 keeps a size), copying the values.
Tensor expand(const Tensor& x, const std::vector<std::int64_t>& shape);

Tensor concat(const std::vector<Tensor>& tensors, std::int64_t dim = 0);
Tensor stack(const std::vector<Tensor>& tensors, std::int64_t dim = 0);

// x[index] along the first dimension (negative counts from the end), dropping that dimension.
Tensor index(const Tensor& x, std::int64_t index);
// Elements start <= i < end along `dim`, as x[..., start:end] (negative bounds count from the end, both clipped).
Tensor slice(const Tensor& x, std::int64_t dim, std::int64_t start, std::int64_t end);

}  // namespace ag
