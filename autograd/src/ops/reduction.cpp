#include <autograd/creation.hpp>
#include <autograd/function.hpp>
#include <autograd/ops/arithmetic.hpp>
#include <autograd/ops/reduction.hpp>
#include <autograd/ops/shape_ops.hpp>

#include "../kernels.hpp"
#include "reduced_dims.hpp"

#include <algorithm>
#include <type_traits>

namespace ag {

using reductions::dims_of;
using reductions::Reduced;
using reductions::reduced_dims;

namespace {

// Bool sums count, so they are int64 as in PyTorch; the other dtypes sum in their own.
Tensor as_summand(const Tensor& x) { return x.dtype() == kBool ? x.to(kInt64) : x; }

// Floating-point sums accumulate in double (PyTorch's CPU accumulator type), integer ones exactly in int64.
template <class T>
using Accumulator = std::conditional_t<std::is_floating_point_v<T>, double, std::int64_t>;

// Running sums of x along `dim`, from the front, or from the back for cumsum's gradient.
template <bool kFromBack>
Tensor running_sums(const Tensor& x, int dim) {
  const Tensor summand = as_summand(x);
  Tensor out = empty(x.shape(), summand.dtype());
  const kernels::Lines lines = kernels::lines_along(x.shape(), dim);
  dispatch_numeric(summand.dtype(), "cumsum", [&]<class T>(T) {
    run_kernel(
        "cumsum",
        [lines](const Tensor& summand, Tensor& out) {
          const T* px = summand.data<T>();
          T* po = out.mutable_data<T>();
          kernels::for_each_line(lines, [&](std::int64_t start, std::int64_t stride, std::int64_t) {
            Accumulator<T> total = 0;
            for (std::int64_t k = 0; k < lines.length; ++k) {
              const std::int64_t i = start + (kFromBack ? lines.length - 1 - k : k) * stride;
              total += px[i];
              po[i] = static_cast<T>(total);
            }
          });
        },
        summand, out);
  });
  return out;
}

// x summed into the groups that `kept` (x's shape with the reduced dimensions 1) makes, as kernels::sum_to sums,
// into a tensor of `result` (kept, or without the reduced dimensions): the kernel reads `kept`, not the result's shape.
Tensor summed_groups(const Tensor& x, const Shape& kept, const Shape& result) {
  Tensor out = empty(result, x.dtype());
  dispatch_numeric(x.dtype(), "sum", [&]<class T>(T) {
    run_kernel(
        "sum",
        [kept](const Tensor& x, Tensor& out) {
          const T* px = x.data<T>();
          T* po = out.mutable_data<T>();
          std::fill_n(po, out.numel(), T(0));
          std::int64_t i = 0;
          kernels::for_each_offset(x.shape(), kernels::broadcast_strides(kept, x.shape()), kernels::Strides{},
                                   [&](std::int64_t oo, std::int64_t) { po[oo] += px[i++]; });
        },
        x, out);
  });
  return out;
}

// cumsum, and the reversed running sums that are its gradient, each recorded with the other as its gradient.
template <bool kFromBack>
Tensor running_sums_op(const Tensor& x, int dim) {
  return make_op(
      kFromBack ? "reversed cumsum" : "cumsum", running_sums<kFromBack>(x, dim), {x},
      [dim](BackwardContext& ctx, const Tensor& grad) { ctx.add_grad(0, running_sums_op<!kFromBack>(grad, dim)); },
      kSavesShapesOnly);
}

}  // namespace

Tensor sum(const Tensor& x) {
  const Tensor summand = as_summand(x);
  Tensor out = empty({}, summand.dtype());
  dispatch_numeric(summand.dtype(), "sum", [&]<class T>(T) {
    run_kernel(
        "sum",
        [](const Tensor& summand, Tensor& out) {
          const T* px = summand.data<T>();
          Accumulator<T> total = 0;
          for (std::int64_t i = 0, n = summand.numel(); i < n; ++i) total += px[i];
          *out.mutable_data<T>() = static_cast<T>(total);
        },
        summand, out);
  });
  return make_op(
      "sum", std::move(out), {x},
      [](BackwardContext& ctx, const Tensor& grad) {
        const Shape& shape = ctx.input_shape(0);
        ctx.add_grad(0, ctx.create_graph() ? expand(grad, dims_of(shape)) : kernels::broadcast_to(grad, shape));
      },
      kSavesShapesOnly);
}

Tensor sum(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim) {
  const Reduced r = reduced_dims("sum", x, dims, keepdim);
  const Tensor summand = as_summand(x);
  Tensor out;
  if (summand.shape() == r.kept) {
    // Nothing to add up (every reduced dimension has size 1), but the result needs its own values.
    out = summand.is_same(x) ? kernels::copy(x) : summand;
    out.impl()->shape = r.result;  // same element count: the kernels that wrote it read numel() only
  } else {
    out = summed_groups(summand, r.kept, r.result);
  }
  return make_op(
      "sum", std::move(out), {x},
      [kept = r.kept](BackwardContext& ctx, const Tensor& grad) {
        const Shape& shape = ctx.input_shape(0);
        ctx.add_grad(0, ctx.create_graph() ? expand(reductions::with_kept_dims(grad, kept), dims_of(shape))
                                           : kernels::broadcast_to(kernels::view_of(grad, kept), shape));
      },
      kSavesShapesOnly);
}

Tensor mean(const Tensor& x) { return mean(x, std::vector<std::int64_t>{}, false); }

Tensor mean(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim) {
  reductions::check_floating("mean", x);
  const Reduced r = reduced_dims("mean", x, dims, keepdim);
  reductions::check_groups_nonempty("mean", x, r, "mean");
  // One op, not a sum and a division: a loss's mean is on the path of every training step. The sum is divided by
  // the count in the tensor's dtype, as sum(x) / count would, so both give the same bits.
  const auto divide = [](const Tensor& t, std::int64_t count) {
    return kernels::unary_map("mean", t, [count]<class T>(T v) { return v / static_cast<T>(count); });
  };
  Tensor out = divide(kernels::sum_to(x, r.kept), r.group_size);
  out.impl()->shape = r.result;
  return make_op(
      "mean", std::move(out), {x},
      [kept = r.kept, count = r.group_size, divide](BackwardContext& ctx, const Tensor& grad) {
        const Shape& shape = ctx.input_shape(0);
        if (ctx.create_graph()) {
          ctx.add_grad(0, expand(reductions::with_kept_dims(grad / static_cast<double>(count), kept), dims_of(shape)));
        } else {
          ctx.add_grad(0, kernels::broadcast_to(kernels::view_of(divide(grad, count), kept), shape));
        }
      },
      kSavesShapesOnly);
}

Tensor cumsum(const Tensor& x, std::int64_t dim) {
  return running_sums_op<false>(x, normalize_dim(dim, x.dim(), "cumsum"));
}

Tensor sum_to_shape(const Tensor& x, const Shape& shape) {
  if (!(broadcast_shapes(shape, x.shape(), "sum_to_shape") == x.shape()))
    fail("sum_to_shape: shape {} does not broadcast to the tensor's shape {}", shape, x.shape());
  Tensor out = kernels::sum_to(x, shape);
  if (out.is_same(x)) out = kernels::copy(x);
  return make_op(
      "sum_to_shape", std::move(out), {x},
      [](BackwardContext& ctx, const Tensor& grad) {
        // Equal shapes pass the gradient on as it is, so that sum_to_shape and expand, each the other's gradient, stop
        // there instead of recording a copy at each order.
        const Shape& shape = ctx.input_shape(0);
        ctx.add_grad(0, grad.shape() == shape ? grad : expand(grad, dims_of(shape)));
      },
      kSavesShapesOnly);
}

Tensor Tensor::sum() const { return ag::sum(*this); }
Tensor Tensor::sum(const std::vector<std::int64_t>& dims, bool keepdim) const { return ag::sum(*this, dims, keepdim); }
Tensor Tensor::mean() const { return ag::mean(*this); }
Tensor Tensor::mean(const std::vector<std::int64_t>& dims, bool keepdim) const {
  return ag::mean(*this, dims, keepdim);
}
Tensor Tensor::cumsum(std::int64_t dim) const { return ag::cumsum(*this, dim); }

}  // namespace ag
