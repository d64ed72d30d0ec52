#pragma once

// Ops that rearrange elements without computing new values (src/ops/shape_ops.cpp); any dtype.

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
inline Tensor cat(const std::vector<Tensor>& tensors, std::int64_t dim = 0) { return concat(tensors, dim); }
Tensor stack(const std::vector<Tensor>& tensors, std::int64_t dim = 0);

}  // namespace ag
