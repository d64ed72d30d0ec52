#include <autograd/creation.hpp>
#include <autograd/function.hpp>
#include <autograd/ops/elementwise.hpp>
#include <autograd/ops/reduction.hpp>
#include <autograd/ops/shape_ops.hpp>

#include "kernels.hpp"

#include <cmath>

namespace ag {

namespace {

// Which dimensions a reduction removes; an empty list means all of them, as in PyTorch.
struct Reduced {
  std::array<bool, kMaxDims> dims{};
  Shape kept;                   // x's shape with reduced dimensions set to 1
  Shape result;                 // the shape returned: `kept`, or without the reduced dimensions
  std::int64_t group_size = 1;  // elements reduced into each result element
};

Reduced reduced_dims(const char* op, const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim) {
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

// The first maximum of each group that `kept` reduces x into: values and flat indices into x.
struct GroupMax {
  Tensor values;
  std::vector<std::int64_t> indices;
};

GroupMax group_max(const char* op, const Tensor& x, const Shape& kept) {
  if (x.numel() == 0 && kept.numel() > 0)
    fail("{}: the reduced dimensions of shape {} are empty, so there is no maximum", op, x.shape());
  GroupMax result{empty(kept, x.dtype()), std::vector<std::int64_t>(static_cast<std::size_t>(kept.numel()), -1)};
  dispatch(x.dtype(), [&]<class T>(T) {
    const T* px = x.data<T>();
    T* best = result.values.mutable_data<T>();
    std::int64_t i = 0;
    kernels::for_each_offset(x.shape(), kernels::broadcast_strides(kept, x.shape()), kernels::Strides{},
                             [&](std::int64_t group, std::int64_t) {
                               const T v = px[i];
                               std::int64_t& arg = result.indices[group];
                               // NaN wins and stays, so a NaN anywhere shows in the result.
                               if (arg < 0 || (!std::isnan(best[group]) && (v > best[group] || std::isnan(v)))) {
                                 best[group] = v;
                                 arg = i;
                               }
                               ++i;
                             });
  });
  return result;
}

}  // namespace

Tensor sum(const Tensor& x) {
  Tensor out = empty({}, x.dtype());
  dispatch(x.dtype(), [&]<class T>(T) {
    const T* px = x.data<T>();
    double total = 0.0;  // a double accumulator keeps long float32 sums accurate
    for (std::int64_t i = 0, n = x.numel(); i < n; ++i) total += px[i];
    *out.mutable_data<T>() = static_cast<T>(total);
  });
  return make_op("sum", std::move(out), {x}, [](BackwardContext& ctx, const Tensor& grad) {
    ctx.add_grad(0, kernels::broadcast_to(grad, ctx.input(0).shape()));
  });
}

Tensor sum(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim) {
  const Reduced r = reduced_dims("sum", x, dims, keepdim);
  Tensor kept_sum = kernels::sum_to(x, r.kept);
  if (kept_sum.is_same(x)) kept_sum = kernels::copy(x);  // nothing to add up, but the result needs its own values
  kept_sum.impl()->shape = r.result;
  return make_op("sum", std::move(kept_sum), {x}, [kept = r.kept](BackwardContext& ctx, const Tensor& grad) {
    ctx.add_grad(0, kernels::broadcast_to(reshape(grad, std::vector<std::int64_t>(kept.begin(), kept.end())),
                                          ctx.input(0).shape()));
  });
}

Tensor mean(const Tensor& x) {
  if (x.numel() == 0) fail("mean: the tensor is empty (shape {})", x.shape());
  return sum(x) * (1.0 / static_cast<double>(x.numel()));
}

Tensor mean(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim) {
  const Reduced r = reduced_dims("mean", x, dims, keepdim);
  if (r.group_size == 0)
    fail("mean: reducing dims [{}] of shape {} averages over no elements", fmt::join(dims, ", "), x.shape());
  return sum(x, dims, keepdim) * (1.0 / static_cast<double>(r.group_size));
}

Tensor max(const Tensor& x) { return max(x, {}, false); }

Tensor max(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim) {
  const Reduced r = reduced_dims("max", x, dims, keepdim);
  GroupMax m = group_max("max", x, r.kept);
  m.values.impl()->shape = r.result;
  return make_op("max", std::move(m.values), {x},
                 [indices = std::move(m.indices)](BackwardContext& ctx, const Tensor& grad) {
                   const Tensor& x = ctx.input(0);
                   Tensor gx = zeros(x.shape(), x.dtype());
                   dispatch(x.dtype(), [&]<class T>(T) {
                     const T* g = grad.data<T>();
                     T* out = gx.mutable_data<T>();
                     for (std::size_t k = 0; k < indices.size(); ++k) out[indices[k]] += g[k];
                   });
                   ctx.add_grad(0, std::move(gx));
                 });
}

Tensor argmax(const Tensor& x) {
  const GroupMax m = group_max("argmax", x, Shape{});
  return full({}, static_cast<double>(m.indices[0]), x.dtype());
}

Tensor argmax(const Tensor& x, std::int64_t dim, bool keepdim) {
  const int d = normalize_dim(dim, x.dim(), "argmax");
  if (x.dim() == 0) return zeros({}, x.dtype());
  const Reduced r = reduced_dims("argmax", x, {d}, keepdim);
  const GroupMax m = group_max("argmax", x, r.kept);
  const std::int64_t stride = contiguous_strides(x.shape())[d];
  Tensor out = empty(r.result, x.dtype());
  dispatch(x.dtype(), [&]<class T>(T) {
    T* po = out.mutable_data<T>();
    for (std::size_t k = 0; k < m.indices.size(); ++k) po[k] = static_cast<T>((m.indices[k] / stride) % x.shape()[d]);
  });
  return out;
}

Tensor sum_to_shape(const Tensor& x, const Shape& shape) {
  if (!(broadcast_shapes(shape, x.shape(), "sum_to_shape") == x.shape()))
    fail("sum_to_shape: shape {} does not broadcast to the tensor's shape {}", shape, x.shape());
  Tensor out = kernels::sum_to(x, shape);
  if (out.is_same(x)) out = kernels::copy(x);
  return make_op("sum_to_shape", std::move(out), {x}, [](BackwardContext& ctx, const Tensor& grad) {
    ctx.add_grad(0, kernels::broadcast_to(grad, ctx.input(0).shape()));
  });
}

}  // namespace ag
