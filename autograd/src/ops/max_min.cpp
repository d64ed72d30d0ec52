#include <autograd/creation.hpp>
#include <autograd/function.hpp>
#include <autograd/ops/arithmetic.hpp>
#include <autograd/ops/max_min.hpp>

#include "../kernels.hpp"
#include "reduced_dims.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

namespace ag {

using reductions::Reduced;
using reductions::reduced_dims;

namespace {

const char* extreme_name(bool take_larger) { return take_larger ? "maximum" : "minimum"; }

// Whether `candidate` replaces `best`: a NaN wins and then stays, so a NaN anywhere shows in the result, as in
// PyTorch. Ties keep `best`, so the first extreme is the one found.
template <bool kTakeLarger, class T>
bool beats(T candidate, T best) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(best)) return false;
    if (std::isnan(candidate)) return true;
  }
  return kTakeLarger ? candidate > best : candidate < best;
}

// The value every element beats or ties.
template <bool kTakeLarger, class T>
constexpr T worst_value() {
  using Limits = std::numeric_limits<T>;
  if constexpr (Limits::has_infinity)
    return kTakeLarger ? -Limits::infinity() : Limits::infinity();
  else
    return kTakeLarger ? Limits::lowest() : Limits::max();
}

// The extreme of each group that `kept` reduces x into.
template <bool kTakeLarger>
Tensor group_extremes(const Tensor& x, const Shape& kept) {
  Tensor out = empty(kept, x.dtype());
  dispatch(x.dtype(), [&]<class T>(T) {
    // Reads `kept`, not out's shape, which the caller sets to the result's.
    run_kernel(
        kTakeLarger ? "amax" : "amin",
        [kept](const Tensor& x, Tensor& out) {
          const T* px = x.data<T>();
          T* best = out.mutable_data<T>();
          std::fill_n(best, kept.numel(), worst_value<kTakeLarger, T>());
          std::int64_t i = 0;
          kernels::for_each_offset(x.shape(), kernels::broadcast_strides(kept, x.shape()), kernels::Strides{},
                                   [&](std::int64_t group, std::int64_t) {
                                     if (beats<kTakeLarger>(px[i], best[group])) best[group] = px[i];
                                     ++i;
                                   });
        },
        x, out);
  });
  return out;
}

// Each element's share of its group's gradient: split equally among the elements equal to the group's extreme
// (NaN counts as equal to a NaN extreme, which came from them), 0 for the others.
Tensor tied_share(const char* op, const Tensor& x, const Tensor& extremes, const Shape& kept) {
  const Tensor tied = kernels::binary_map(op, x, kernels::view_of(extremes, kept), [](auto v, auto e) {
    using T = decltype(v);
    return (v == e || (std::isnan(v) && std::isnan(e))) ? T(1) : T(0);
  });
  return tied / kernels::sum_to(tied, kept);
}

template <bool kTakeLarger>
Tensor extreme_over(const char* op, const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim) {
  const Reduced r = reduced_dims(op, x, dims, keepdim);
  reductions::check_groups_nonempty(op, x, r, extreme_name(kTakeLarger));
  Tensor out = group_extremes<kTakeLarger>(x, r.kept);
  out.impl()->shape = r.result;
  // The shares are constant where the gradient exists (away from ties), so only the product is recorded.
  return make_op(op, std::move(out), {x}, [op, kept = r.kept](BackwardContext& ctx, const Tensor& grad) {
    ctx.add_grad(0, tied_share(op, ctx.input(0), ctx.output(), kept) * reductions::with_kept_dims(grad, kept));
  });
}

// Along one dim: each line's first extreme and its index; the line of a 0-d tensor is its one element.
template <bool kTakeLarger>
ValuesIndices line_extremes(const char* op, const Tensor& x, std::int64_t dim, bool keepdim) {
  const int d = normalize_dim(dim, x.dim(), op);
  const Reduced r = reduced_dims(op, x, {d}, keepdim);
  reductions::check_groups_nonempty(op, x, r, extreme_name(kTakeLarger));
  const kernels::Lines lines = kernels::lines_along(x.shape(), d);
  ValuesIndices out{empty(r.result, x.dtype()), empty(r.result, kInt64)};
  dispatch(x.dtype(), [&]<class T>(T) {
    run_kernel(
        op,
        [lines](const Tensor& x, Tensor& line_values, Tensor& line_indices) {
          const T* px = x.data<T>();
          T* values = line_values.mutable_data<T>();
          std::int64_t* indices = line_indices.mutable_data<std::int64_t>();
          kernels::for_each_line(lines, [&](std::int64_t start, std::int64_t stride, std::int64_t line) {
            std::int64_t best = 0;
            for (std::int64_t k = 1; k < lines.length; ++k)
              if (beats<kTakeLarger>(px[start + k * stride], px[start + best * stride])) best = k;
            values[line] = px[start + best * stride];
            indices[line] = best;
          });
        },
        x, out.values, out.indices);
  });
  return out;
}

// A tensor of `shape` holding each line's value at that line's index along dim, 0 elsewhere.
Tensor placed_at_indices(const char* op, const Tensor& line_values, const Tensor& indices, const Shape& shape,
                         int dim) {
  Tensor out = empty(shape, line_values.dtype());
  const kernels::Lines lines = kernels::lines_along(shape, dim);
  dispatch_floating(line_values.dtype(), op, [&]<class T>(T) {
    run_kernel(
        op,
        [lines](const Tensor& line_values, const Tensor& indices, Tensor& out) {
          const T* values = line_values.data<T>();
          const std::int64_t* index = indices.data<std::int64_t>();
          T* po = out.mutable_data<T>();
          std::fill_n(po, out.numel(), T(0));
          kernels::for_each_line(lines, [&](std::int64_t start, std::int64_t stride, std::int64_t line) {
            po[start + index[line] * stride] = values[line];
          });
        },
        line_values, indices, out);
  });
  return out;
}

template <bool kTakeLarger>
ValuesIndices extreme_along(const char* op, const Tensor& x, std::int64_t dim, bool keepdim) {
  const int d = normalize_dim(dim, x.dim(), op);
  ValuesIndices out = line_extremes<kTakeLarger>(op, x, d, keepdim);
  out.values =
      make_op(op, std::move(out.values), {x}, [op, d, indices = out.indices](BackwardContext& ctx, const Tensor& grad) {
        const Shape& shape = ctx.input_shape(0);
        if (!ctx.create_graph()) {
          ctx.add_grad(0, placed_at_indices(op, grad, indices, shape, d));
          return;
        }
        // A one-hot mask of the extremes, constant where the gradient exists, times the recorded gradient.
        const Tensor picked = placed_at_indices(op, ones_like(grad), indices, shape, d);
        Shape kept = shape;
        if (kept.size() > 0) kept[d] = 1;
        ctx.add_grad(0, picked * reductions::with_kept_dims(grad, kept));
      });
  return out;
}

// The flat index of the first extreme of all of x, as a 0-d int64 tensor.
template <bool kTakeLarger>
Tensor flat_index(const char* op, const Tensor& x) {
  reductions::check_groups_nonempty(op, x, reduced_dims(op, x, {}, false), extreme_name(kTakeLarger));
  return line_extremes<kTakeLarger>(op, kernels::view_of(x, Shape{x.numel()}), 0, false).indices;
}

}  // namespace

Tensor max(const Tensor& x) { return extreme_over<true>("max", x, {}, false); }
Tensor min(const Tensor& x) { return extreme_over<false>("min", x, {}, false); }
Tensor amax(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim) {
  return extreme_over<true>("amax", x, dims, keepdim);
}
Tensor amin(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim) {
  return extreme_over<false>("amin", x, dims, keepdim);
}

ValuesIndices max(const Tensor& x, std::int64_t dim, bool keepdim) {
  return extreme_along<true>("max", x, dim, keepdim);
}
ValuesIndices min(const Tensor& x, std::int64_t dim, bool keepdim) {
  return extreme_along<false>("min", x, dim, keepdim);
}

Tensor argmax(const Tensor& x) { return flat_index<true>("argmax", x); }
Tensor argmin(const Tensor& x) { return flat_index<false>("argmin", x); }
Tensor argmax(const Tensor& x, std::int64_t dim, bool keepdim) {
  return line_extremes<true>("argmax", x, dim, keepdim).indices;
}
Tensor argmin(const Tensor& x, std::int64_t dim, bool keepdim) {
  return line_extremes<false>("argmin", x, dim, keepdim).indices;
}

Tensor Tensor::max() const { return ag::max(*this); }
Tensor Tensor::min() const { return ag::min(*this); }
Tensor Tensor::amax(const std::vector<std::int64_t>& dims, bool keepdim) const {
  return ag::amax(*this, dims, keepdim);
}
Tensor Tensor::amin(const std::vector<std::int64_t>& dims, bool keepdim) const {
  return ag::amin(*this, dims, keepdim);
}
Tensor Tensor::argmax() const { return ag::argmax(*this); }
Tensor Tensor::argmax(std::int64_t dim, bool keepdim) const { return ag::argmax(*this, dim, keepdim); }
Tensor Tensor::argmin() const { return ag::argmin(*this); }
Tensor Tensor::argmin(std::int64_t dim, bool keepdim) const { return ag::argmin(*this, dim, keepdim); }

}  // namespace ag
