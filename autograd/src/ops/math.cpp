#include <autograd/function.hpp>
#include <autograd/ops/arithmetic.hpp>
#include <autograd/ops/math.hpp>

#include "../kernels.hpp"

#include <cmath>
#include <numbers>

namespace ag {

using kernels::binary_map;
using kernels::Types;
using kernels::unary_map;

Tensor exp(const Tensor& x) {
  Tensor out = unary_map("exp", x, [](auto v) { return std::exp(v); });
  return make_op(
      "exp", std::move(out), {x},
      [](BackwardContext& ctx, const Tensor& grad) { ctx.add_grad(0, grad * ctx.output()); }, kSavesOutputOnly);
}

Tensor log(const Tensor& x) {
  Tensor out = unary_map("log", x, [](auto v) { return std::log(v); });
  return make_op("log", std::move(out), {x},
                 [](BackwardContext& ctx, const Tensor& grad) { ctx.add_grad(0, grad / ctx.input(0)); });
}

Tensor sqrt(const Tensor& x) {
  Tensor out = unary_map("sqrt", x, [](auto v) { return std::sqrt(v); });
  return make_op(
      "sqrt", std::move(out), {x},
      [](BackwardContext& ctx, const Tensor& grad) {
        ctx.add_grad(0, ctx.create_graph() ? grad / (2.0 * ctx.output())
                                           : binary_map("sqrt backward", grad, ctx.output(),
                                                        [](auto g, auto y) { return g / (y + y); }));
      },
      kSavesOutputOnly);
}

Tensor abs(const Tensor& x) {
  Tensor out = unary_map<Types::Numeric>("abs", x, [](auto v) { return v < 0 ? -v : v; });
  return make_op("abs", std::move(out), {x}, [](BackwardContext& ctx, const Tensor& grad) {
    const Tensor& x = ctx.input(0);
    if (ctx.create_graph()) {
      // grad times the sign of x, a constant: abs is linear on either side of its kink.
      const Tensor sign = unary_map("abs backward", x, [](auto v) {
        using T = decltype(v);
        return v > T(0) ? T(1) : (v < T(0) ? T(-1) : T(0));
      });
      ctx.add_grad(0, grad * sign);
    } else {
      ctx.add_grad(0, binary_map("abs backward", grad, x, [](auto g, auto v) {
                     using T = decltype(v);
                     return v > T(0) ? g : (v < T(0) ? -g : T(0));
                   }));
    }
  });
}

Tensor log1p(const Tensor& x) {
  Tensor out = unary_map("log1p", x, [](auto v) { return std::log1p(v); });
  return make_op("log1p", std::move(out), {x},
                 [](BackwardContext& ctx, const Tensor& grad) { ctx.add_grad(0, grad / (ctx.input(0) + 1.0)); });
}

Tensor expm1(const Tensor& x) {
  Tensor out = unary_map("expm1", x, [](auto v) { return std::expm1(v); });
  return make_op("expm1", std::move(out), {x},
                 [](BackwardContext& ctx, const Tensor& grad) { ctx.add_grad(0, grad * (ctx.output() + 1.0)); });
}

Tensor erf(const Tensor& x) {
  Tensor out = unary_map("erf", x, [](auto v) { return std::erf(v); });
  return make_op("erf", std::move(out), {x}, [](BackwardContext& ctx, const Tensor& grad) {
    const Tensor& x = ctx.input(0);
    ctx.add_grad(0, grad * (2.0 / std::sqrt(std::numbers::pi)) * exp(-(x * x)));
  });
}

Tensor Tensor::exp() const { return ag::exp(*this); }
Tensor Tensor::log() const { return ag::log(*this); }
Tensor Tensor::sqrt() const { return ag::sqrt(*this); }
Tensor Tensor::abs() const { return ag::abs(*this); }
Tensor Tensor::log1p() const { return ag::log1p(*this); }
Tensor Tensor::expm1() const { return ag::expm1(*this); }
Tensor Tensor::erf() const { return ag::erf(*this); }

}  // namespace ag
