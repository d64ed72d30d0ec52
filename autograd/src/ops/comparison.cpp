#include <autograd/creation.hpp>
#include <autograd/function.hpp>
#include <autograd/ops/comparison.hpp>
#include <autograd/ops/reduction.hpp>

#include "../kernels.hpp"
#include "sum_back.hpp"

namespace ag {

namespace {

template <class Pred>
Tensor compare(const char* name, const Tensor& a, const Tensor& b, Pred pred) {
  if (a.dtype() != b.dtype()) {
    const DType common = kernels::common_dtype(name, a, b);
    return kernels::compare_map(name, a.detach().to(common), b.detach().to(common), pred);
  }
  return kernels::compare_map(name, a, b, pred);
}

void check_mask(const char* op, const Tensor& mask) {
  if (mask.dtype() != kBool)
    fail("{}: the mask must be a bool tensor, got {} (shape {}); make one with a comparison such as x > 0", op,
         dtype_name(mask.dtype()), mask.shape());
}

// where's kernel: out = picked ? a : b, with a and b broadcast to out's shape. Flattened, so that the broadcast walk
// is inlined into it whatever the size of the dispatch that calls it (out of line, it ran 1.5 times the instructions).
template <class T>
[[gnu::flatten]] void where_values(const Tensor& picked, const Tensor& a, const Tensor& b, Tensor& out) {
  const bool* pick = picked.data<bool>();
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  T* po = out.mutable_data<T>();
  const Shape& shape = out.shape();
  std::int64_t i = 0;
  kernels::for_each_offset(shape, kernels::broadcast_strides(a.shape(), shape),
                           kernels::broadcast_strides(b.shape(), shape), [&](std::int64_t oa, std::int64_t ob) {
                             po[i] = pick[i] ? pa[oa] : pb[ob];
                             ++i;
                           });
}

// 1 where the bool mask holds, else 0, in `dtype`.
Tensor mask_as(const Tensor& mask, DType dtype) {
  NoGradGuard no_grad;
  return mask.to(dtype);
}

}  // namespace

Tensor eq(const Tensor& a, const Tensor& b) {
  return compare("eq", a, b, [](auto x, auto y) { return x == y; });
}
Tensor ne(const Tensor& a, const Tensor& b) {
  return compare("ne", a, b, [](auto x, auto y) { return x != y; });
}
Tensor lt(const Tensor& a, const Tensor& b) {
  return compare("lt", a, b, [](auto x, auto y) { return x < y; });
}
Tensor le(const Tensor& a, const Tensor& b) {
  return compare("le", a, b, [](auto x, auto y) { return x <= y; });
}
Tensor gt(const Tensor& a, const Tensor& b) {
  return compare("gt", a, b, [](auto x, auto y) { return x > y; });
}
Tensor ge(const Tensor& a, const Tensor& b) {
  return compare("ge", a, b, [](auto x, auto y) { return x >= y; });
}

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  check_mask("where", condition);
  if (a.dtype() != b.dtype()) {
    const DType common = kernels::common_dtype("where", a, b);
    return where(condition, a.to(common), b.to(common));
  }
  const Shape shape = broadcast_shapes(condition.shape(), broadcast_shapes(a.shape(), b.shape(), "where"), "where");
  const Tensor picked = kernels::broadcast_to(condition, shape);
  Tensor out = empty(shape, a.dtype());
  dispatch(a.dtype(), [&]<class T>(T) { run_kernel("where", where_values<T>, picked, a, b, out); });
  return make_op("where", std::move(out), {a, b, picked}, [](BackwardContext& ctx, const Tensor& grad) {
    const Tensor mask = mask_as(ctx.input(2), grad.dtype());
    if (ctx.needs_grad(0)) ctx.add_grad(0, sum_back(ctx, grad * mask, ctx.input_shape(0)));
    if (ctx.needs_grad(1)) ctx.add_grad(1, sum_back(ctx, grad * (1.0 - mask), ctx.input_shape(1)));
  });
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, double value) {
  check_mask("masked_fill", mask);
  if (!(broadcast_shapes(x.shape(), mask.shape(), "masked_fill") == x.shape()))
    fail("masked_fill: the mask of shape {} does not broadcast to the tensor's shape {}", mask.shape(), x.shape());
  const Tensor picked = kernels::broadcast_to(mask, x.shape());
  Tensor out = empty(x.shape(), x.dtype());
  dispatch(x.dtype(), [&]<class T>(T) {
    run_kernel(
        "masked_fill",
        [fill = static_cast<T>(value)](const Tensor& picked, const Tensor& x, Tensor& out) {
          const bool* pick = picked.data<bool>();
          const T* px = x.data<T>();
          T* po = out.mutable_data<T>();
          for (std::int64_t i = 0, n = x.numel(); i < n; ++i) po[i] = pick[i] ? fill : px[i];
        },
        picked, x, out);
  });
  return make_op("masked_fill", std::move(out), {x, picked}, [](BackwardContext& ctx, const Tensor& grad) {
    ctx.add_grad(0, grad * (1.0 - mask_as(ctx.input(1), grad.dtype())));
  });
}

Tensor Tensor::masked_fill(const Tensor& mask, double value) const { return ag::masked_fill(*this, mask, value); }

}  // namespace ag
