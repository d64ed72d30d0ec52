#include <autograd/creation.hpp>
#include <autograd/function.hpp>
#include <autograd/ops/elementwise.hpp>

#include "kernels.hpp"

namespace ag {

using kernels::binary_map;
using kernels::sum_to;

namespace {

// The share of the gradient that goes to `a` in maximum/minimum: all where it wins, half on a tie.
template <bool kTakeLarger>
Tensor winner_share(const Tensor& a, const Tensor& b) {
  return binary_map(kTakeLarger ? "maximum backward" : "minimum backward", a, b, [](auto x, auto y) {
    using T = decltype(x);
    if (x == y) return T(0.5);
    return (kTakeLarger ? x > y : x < y) ? T(1) : T(0);
  });
}

template <bool kTakeLarger>
Tensor extremum(const char* name, const Tensor& a, const Tensor& b) {
  Tensor out = binary_map(name, a, b, [](auto x, auto y) { return (kTakeLarger ? x >= y : x <= y) ? x : y; });
  return make_op(name, std::move(out), {a, b}, [](BackwardContext& ctx, const Tensor& grad) {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    const Tensor share_a = winner_share<kTakeLarger>(a, b);
    if (ctx.needs_grad(0)) ctx.add_grad(0, sum_to(grad * share_a, a.shape()));
    if (ctx.needs_grad(1)) ctx.add_grad(1, sum_to(grad * (1.0 - share_a), b.shape()));
  });
}

template <class Compare>
Tensor compare(const char* name, const Tensor& a, const Tensor& b, Compare compare) {
  return binary_map(name, a, b, [compare](auto x, auto y) { return compare(x, y) ? decltype(x)(1) : decltype(x)(0); });
}

}  // namespace

Tensor maximum(const Tensor& a, const Tensor& b) { return extremum<true>("maximum", a, b); }
Tensor minimum(const Tensor& a, const Tensor& b) { return extremum<false>("minimum", a, b); }

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
  kernels::check_same_dtype("where", a, b);
  const Shape shape = broadcast_shapes(condition.shape(), broadcast_shapes(a.shape(), b.shape(), "where"), "where");
  // 1 where the condition holds, in the values' dtype, so the backward is two products.
  Tensor mask = empty(condition.shape(), a.dtype());
  dispatch(condition.dtype(), [&]<class C>(C) {
    dispatch(a.dtype(), [&]<class T>(T) {
      const C* pc = condition.data<C>();
      T* pm = mask.mutable_data<T>();
      for (std::int64_t i = 0; i < condition.numel(); ++i) pm[i] = pc[i] != C(0) ? T(1) : T(0);
    });
  });
  mask = kernels::broadcast_to(mask, shape);
  const Tensor picked_a = binary_map("where", mask, a, [](auto m, auto x) { return m != 0 ? x : decltype(x)(0); });
  const Tensor picked_b = binary_map("where", mask, b, [](auto m, auto y) { return m != 0 ? decltype(y)(0) : y; });
  Tensor out = binary_map("where", picked_a, picked_b, [](auto x, auto y) { return x + y; });
  return make_op("where", std::move(out), {a, b, mask}, [](BackwardContext& ctx, const Tensor& grad) {
    const Tensor& mask = ctx.input(2);
    if (ctx.needs_grad(0)) ctx.add_grad(0, sum_to(grad * mask, ctx.input(0).shape()));
    if (ctx.needs_grad(1)) ctx.add_grad(1, sum_to(grad * (1.0 - mask), ctx.input(1).shape()));
  });
}

}  // namespace ag
