#pragma once

// What the reductions of reduction.cpp, max_min.cpp and statistics.cpp share: which dimensions a reduction
// removes, and the checks they make before reducing.

#include <autograd/dtype.hpp>
#include <autograd/error.hpp>
#include <autograd/shape.hpp>
#include <autograd/tensor.hpp>

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <vector>

namespace ag::reductions {

struct Reduced {
  std::array<bool, kMaxDims> dims{};
  Shape kept;                   // x's shape with the reduced dimensions set to 1
  Shape result;                 // the shape returned: `kept`, or without the reduced dimensions
  std::int64_t group_size = 1;  // elements reduced into each result element
};

// Normalises `dims` (negative ones count from the end); an empty list means all of them, as in PyTorch.
inline Reduced reduced_dims(const char* op, const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim) {
  Reduced r;
  for (auto dim : dims) {
    const int d = normalize_dim(dim, x.dim(), op);
    if (r.dims[d]) fail("{}: dim {} appears twice in [{}]", op, dim, fmt::join(dims, ", "));
    r.dims[d] = true;
  }
  for (int d = 0; d < x.dim(); ++d) {
    const bool reduce = dims.empty() || r.dims[d];
    r.dims[d] = reduce;
    r.kept.push_back(reduce ? 1 : x.shape()[d]);
    if (reduce) r.group_size *= x.shape()[d];
    if (!reduce || keepdim) r.result.push_back(r.kept[d]);
  }
  return r;
}

// For reductions with no value over no elements (max, mean, var): `what` names that value in the error.
inline void check_groups_nonempty(const char* op, const Tensor& x, const Reduced& r, const char* what) {
  if (r.group_size == 0)
    fail("{}: the reduced dimensions of shape {} are empty, so there is no {}", op, x.shape(), what);
}

inline void check_floating(const char* op, const Tensor& x) {
  if (!is_floating_point(x.dtype())) fail_unsupported_dtype(op, x.dtype(), "float32 or float64");
}

// The dimensions of `shape` as the list that reshape and expand take.
inline std::vector<std::int64_t> dims_of(const Shape& shape) { return {shape.begin(), shape.end()}; }

// A reduced tensor (a result, or its gradient) with the reduced dimensions back as size 1, so that it broadcasts
// against the input; a recorded reshape, so that a gradient built from it is differentiable under create_graph.
inline Tensor with_kept_dims(const Tensor& reduced, const Shape& kept) { return reduced.reshape(dims_of(kept)); }

}  // namespace ag::reductions
