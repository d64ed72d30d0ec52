#include <autograd/creation.hpp>
#include <autograd/function.hpp>
#include <autograd/ops/clamp.hpp>
#include <autograd/ops/reduction.hpp>

#include "../kernels.hpp"
#include "sum_back.hpp"

#include <cmath>
#include <limits>
#include <type_traits>

namespace ag {

using kernels::binary_map;
using kernels::Types;

Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max) {
  if (!min && !max) fail("clamp: give at least one of min and max (input shape {})", x.shape());
  const double low = min.value_or(-std::numeric_limits<double>::infinity());
  const double high = max.value_or(std::numeric_limits<double>::infinity());
  if (!(low <= high)) fail("clamp: min {} must not exceed max {} (input shape {})", low, high, x.shape());
  Tensor out = kernels::unary_map<Types::Numeric>("clamp", x, [low, high](auto v) {
    using T = decltype(v);
    // Compared in double, so that an infinite bound is no bound for int64 as well. A NaN fails both comparisons
    // and stays NaN, as in PyTorch (whose backward then passes it no gradient, as here).
    const double d = static_cast<double>(v);
    return d < low ? static_cast<T>(low) : (d > high ? static_cast<T>(high) : v);
  });
  return make_op("clamp", std::move(out), {x}, [low, high](BackwardContext& ctx, const Tensor& grad) {
    const auto inside = [low, high](auto v) { return v >= decltype(v)(low) && v <= decltype(v)(high); };
    const Tensor& x = ctx.input(0);
    if (ctx.create_graph()) {
      // grad times a constant 0/1 mask: clamp is linear inside its bounds and constant outside.
      const Tensor kept = kernels::unary_map("clamp backward", x, [inside](auto v) { return decltype(v)(inside(v)); });
      ctx.add_grad(0, grad * kept);
    } else {
      ctx.add_grad(0, binary_map("clamp backward", grad, x,
                                 [inside](auto g, auto v) { return inside(v) ? g : decltype(g)(0); }));
    }
  });
}

Tensor clamp_min(const Tensor& x, double min) { return clamp(x, min, std::nullopt); }
Tensor clamp_max(const Tensor& x, double max) { return clamp(x, std::nullopt, max); }

namespace {

// The share of the gradient that goes to `a` in maximum/minimum, as PyTorch's formula: half on a tie, none where `a`
// loses, all otherwise. A NaN on either side loses no comparison, so both inputs get the whole gradient there.
template <bool kTakeLarger>
Tensor winner_share(const Tensor& a, const Tensor& b) {
  return binary_map(kTakeLarger ? "maximum backward" : "minimum backward", a, b, [](auto x, auto y) {
    using T = decltype(x);
    if (x == y) return T(0.5);
    return (kTakeLarger ? x < y : x > y) ? T(0) : T(1);
  });
}

// The larger (or smaller) of x and y, or the NaN where either is one, as PyTorch's maximum and minimum: a NaN y
// fails the comparison and is taken; a NaN x is taken by the check.
template <bool kTakeLarger, class T>
T pick(T x, T y) {
  bool take_x = kTakeLarger ? x >= y : x <= y;
  if constexpr (std::is_floating_point_v<T>) take_x = take_x || std::isnan(x);
  return take_x ? x : y;
}

template <bool kTakeLarger>
Tensor extremum(const char* name, const Tensor& a, const Tensor& b) {
  Tensor out = binary_map<Types::Numeric>(name, a, b, [](auto x, auto y) { return pick<kTakeLarger>(x, y); });
  return make_op(name, std::move(out), {a, b}, [](BackwardContext& ctx, const Tensor& grad) {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    if (ctx.needs_grad(0)) ctx.add_grad(0, sum_back(ctx, grad * winner_share<kTakeLarger>(a, b), a.shape()));
    if (ctx.needs_grad(1)) ctx.add_grad(1, sum_back(ctx, grad * winner_share<kTakeLarger>(b, a), b.shape()));
  });
}

}  // namespace

Tensor maximum(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype())
    return kernels::promoted([](const Tensor& x, const Tensor& y) { return maximum(x, y); }, "maximum", a, b);
  return extremum<true>("maximum", a, b);
}

Tensor minimum(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype())
    return kernels::promoted([](const Tensor& x, const Tensor& y) { return minimum(x, y); }, "minimum", a, b);
  return extremum<false>("minimum", a, b);
}

Tensor Tensor::clamp(std::optional<double> min, std::optional<double> max) const { return ag::clamp(*this, min, max); }
Tensor Tensor::clamp_min(double min) const { return ag::clamp_min(*this, min); }
Tensor Tensor::clamp_max(double max) const { return ag::clamp_max(*this, max); }

}  // namespace ag
