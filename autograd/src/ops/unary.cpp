#include <autograd/function.hpp>
#include <autograd/ops/elementwise.hpp>

#include "kernels.hpp"

#include <cmath>

namespace ag {

using kernels::binary_map;
using kernels::unary_map;

Tensor exp(const Tensor& x) {
  Tensor out = unary_map(x, [](auto v) { return std::exp(v); });
  return make_op("exp", std::move(out), {x},
                 [](BackwardContext& ctx, const Tensor& grad) { ctx.add_grad(0, grad * ctx.output()); });
}

Tensor log(const Tensor& x) {
  Tensor out = unary_map(x, [](auto v) { return std::log(v); });
  return make_op("log", std::move(out), {x},
                 [](BackwardContext& ctx, const Tensor& grad) { ctx.add_grad(0, grad / ctx.input(0)); });
}

Tensor sqrt(const Tensor& x) {
  Tensor out = unary_map(x, [](auto v) { return std::sqrt(v); });
  return make_op("sqrt", std::move(out), {x}, [](BackwardContext& ctx, const Tensor& grad) {
    ctx.add_grad(0, binary_map("sqrt backward", grad, ctx.output(), [](auto g, auto y) { return g / (y + y); }));
  });
}

Tensor abs(const Tensor& x) {
  Tensor out = unary_map(x, [](auto v) { return std::abs(v); });
  return make_op("abs", std::move(out), {x}, [](BackwardContext& ctx, const Tensor& grad) {
    ctx.add_grad(0, binary_map("abs backward", grad, ctx.input(0), [](auto g, auto v) {
                   using T = decltype(v);
                   return v > T(0) ? g : (v < T(0) ? -g : T(0));
                 }));
  });
}

Tensor sigmoid(const Tensor& x) {
  Tensor out = unary_map(x, [](auto v) {
    using T = decltype(v);
    // Written so that neither branch overflows exp for large |v|.
    return v >= T(0) ? T(1) / (T(1) + std::exp(-v)) : std::exp(v) / (T(1) + std::exp(v));
  });
  return make_op("sigmoid", std::move(out), {x}, [](BackwardContext& ctx, const Tensor& grad) {
    ctx.add_grad(0, binary_map("sigmoid backward", grad, ctx.output(), [](auto g, auto y) { return g * y * (1 - y); }));
  });
}

Tensor tanh(const Tensor& x) {
  Tensor out = unary_map(x, [](auto v) { return std::tanh(v); });
  return make_op("tanh", std::move(out), {x}, [](BackwardContext& ctx, const Tensor& grad) {
    ctx.add_grad(0, binary_map("tanh backward", grad, ctx.output(), [](auto g, auto y) { return g * (1 - y * y); }));
  });
}

Tensor relu(const Tensor& x) {
  Tensor out = unary_map(x, [](auto v) { return v > 0 ? v : decltype(v)(0); });
  return make_op("relu", std::move(out), {x}, [](BackwardContext& ctx, const Tensor& grad) {
    ctx.add_grad(
        0, binary_map("relu backward", grad, ctx.output(), [](auto g, auto y) { return y > 0 ? g : decltype(g)(0); }));
  });
}

Tensor clamp(const Tensor& x, double min, double max) {
  if (!(min <= max)) fail("clamp: min {} must not exceed max {} (input shape {})", min, max, x.shape());
  Tensor out = unary_map(x, [min, max](auto v) {
    using T = decltype(v);
    return v < T(min) ? T(min) : (v > T(max) ? T(max) : v);
  });
  return make_op("clamp", std::move(out), {x}, [min, max](BackwardContext& ctx, const Tensor& grad) {
    ctx.add_grad(0, binary_map("clamp backward", grad, ctx.input(0), [min, max](auto g, auto v) {
                   using T = decltype(v);
                   return (v >= T(min) && v <= T(max)) ? g : T(0);
                 }));
  });
}

}  // namespace ag
