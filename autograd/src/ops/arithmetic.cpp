#include <autograd/creation.hpp>
#include <autograd/function.hpp>
#include <autograd/ops/arithmetic.hpp>
#include <autograd/ops/comparison.hpp>
#include <autograd/ops/conversion.hpp>
#include <autograd/ops/math.hpp>
#include <autograd/ops/reduction.hpp>

#include "../kernels.hpp"
#include "sum_back.hpp"

#include <cmath>

namespace ag {

using kernels::binary_map;
using kernels::Types;
using kernels::unary_map;

Tensor scalar_like(const Tensor& like, double value, bool value_is_integer) {
  DType dtype = like.dtype();
  if (!is_floating_point(dtype) && !value_is_integer) dtype = default_dtype();
  if (dtype == kBool) dtype = kInt64;
  return full({}, value, dtype);
}

Tensor add(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype()) return kernels::promoted(add, "add", a, b);
  Tensor out = binary_map<Types::Numeric>("add", a, b, [](auto x, auto y) { return x + y; });
  return make_op(
      "add", std::move(out), {a, b},
      [](BackwardContext& ctx, const Tensor& grad) {
        ctx.add_grad(0, sum_back(ctx, grad, ctx.input_shape(0)));
        ctx.add_grad(1, sum_back(ctx, grad, ctx.input_shape(1)));
      },
      kSavesShapesOnly);
}

Tensor sub(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype()) return kernels::promoted(sub, "sub", a, b);
  Tensor out = binary_map<Types::Numeric>("sub", a, b, [](auto x, auto y) { return x - y; });
  return make_op(
      "sub", std::move(out), {a, b},
      [](BackwardContext& ctx, const Tensor& grad) {
        ctx.add_grad(0, sum_back(ctx, grad, ctx.input_shape(0)));
        if (ctx.needs_grad(1)) ctx.add_grad(1, -sum_back(ctx, grad, ctx.input_shape(1)));
      },
      kSavesShapesOnly);
}

namespace {
// x * mask with a bool mask, read as it is: x * (x > 0) would otherwise convert the mask to x's dtype first.
Tensor mul_by_mask(const Tensor& x, const Tensor& mask) {
  const Shape shape = kernels::broadcast_shape_of("mul", x, mask);
  Tensor out = empty(shape, x.dtype());
  dispatch_floating(x.dtype(), "mul", [&]<class T>(T) {
    run_kernel(
        "mul",
        [](const Tensor& x, const Tensor& mask, Tensor& out) {
          T* po = out.mutable_data<T>();
          if (x.shape() == mask.shape()) {
            // The mask's bytes read as unsigned char: a loop over bool loads does not vectorize, one over bytes does.
            const T* px = x.data<T>();
            const auto* keep = reinterpret_cast<const unsigned char*>(mask.data<bool>());
            for (std::int64_t i = 0, n = x.numel(); i < n; ++i)
              po[i] = px[i] * static_cast<T>(static_cast<int>(keep[i]));
          } else {
            auto times = [](T v, bool keep) { return v * static_cast<T>(keep); };  // NaN * false stays NaN
            kernels::broadcast_loop<T, bool>(x, mask, out.shape(), po, times);
          }
        },
        x, mask, out);
  });
  return make_op(
      "mul", std::move(out), {x, mask},
      [](BackwardContext& ctx, const Tensor& grad) {
        ctx.add_grad(0, sum_back(ctx, mul_by_mask(grad, ctx.input(1)), ctx.input_shape(0)));
      },
      SavedValues{.inputs = 0b10, .output = false});
}
}  // namespace

Tensor mul(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype()) {
    if (b.dtype() == kBool && is_floating_point(a.dtype())) return mul_by_mask(a, b);
    if (a.dtype() == kBool && is_floating_point(b.dtype())) return mul_by_mask(b, a);
    return kernels::promoted(mul, "mul", a, b);
  }
  Tensor out = binary_map<Types::Numeric>("mul", a, b, [](auto x, auto y) { return x * y; });
  return make_op(
      "mul", std::move(out), {a, b},
      [](BackwardContext& ctx, const Tensor& grad) {
        const Tensor& a = ctx.input(0);
        const Tensor& b = ctx.input(1);
        if (ctx.needs_grad(0)) ctx.add_grad(0, sum_back(ctx, grad * b, a.shape()));
        if (ctx.needs_grad(1)) ctx.add_grad(1, sum_back(ctx, grad * a, b.shape()));
      },
      kSavesInputsOnly);
}

Tensor div(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype()) return kernels::promoted(div, "div", a, b);
  if (!is_floating_point(a.dtype())) return div(a.to(default_dtype()), b.to(default_dtype()));  // true division
  Tensor out = binary_map("div", a, b, [](auto x, auto y) { return x / y; });
  return make_op("div", std::move(out), {a, b}, [](BackwardContext& ctx, const Tensor& grad) {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    if (ctx.needs_grad(0)) ctx.add_grad(0, sum_back(ctx, grad / b, a.shape()));
    if (ctx.needs_grad(1)) {
      const Tensor minus_out_over_b =
          ctx.create_graph() ? -(ctx.output() / b)
                             : binary_map("div backward", ctx.output(), b, [](auto y, auto v) { return -y / v; });
      ctx.add_grad(1, sum_back(ctx, grad * minus_out_over_b, b.shape()));
    }
  });
}

Tensor neg(const Tensor& x) {
  Tensor out = unary_map<Types::Numeric>("neg", x, [](auto v) { return -v; });
  return make_op(
      "neg", std::move(out), {x}, [](BackwardContext& ctx, const Tensor& grad) { ctx.add_grad(0, -grad); },
      kSavesShapesOnly);
}

Tensor pow(const Tensor& base, double exponent) {
  Tensor out = unary_map("pow", base, [exponent](auto x) { return std::pow(x, static_cast<decltype(x)>(exponent)); });
  return make_op(
      "pow", std::move(out), {base},
      [exponent](BackwardContext& ctx, const Tensor& grad) {
        const Tensor& base = ctx.input(0);
        if (ctx.create_graph()) {
          ctx.add_grad(0, grad * (exponent == 0.0 ? zeros_like(base) : exponent * pow(base, exponent - 1.0)));
          return;
        }
        // grad · exponent · base^(exponent - 1) in one pass; base^1 is base itself, which spares the square (a
        // loss's most common power) a call to pow.
        ctx.add_grad(0, binary_map("pow backward", grad, base, [exponent](auto g, auto x) {
                       using T = decltype(x);
                       if (exponent == 0.0) return g * T(0);
                       const T power = exponent == 2.0 ? x : std::pow(x, static_cast<T>(exponent - 1.0));
                       return g * (static_cast<T>(exponent) * power);
                     }));
      },
      kSavesInputsOnly);
}

Tensor pow(const Tensor& base, const Tensor& exponent) {
  if (base.dtype() != exponent.dtype()) {
    return kernels::promoted([](const Tensor& x, const Tensor& y) { return pow(x, y); }, "pow", base, exponent);
  }
  Tensor out = binary_map("pow", base, exponent, [](auto x, auto y) { return std::pow(x, y); });
  return make_op("pow", std::move(out), {base, exponent}, [](BackwardContext& ctx, const Tensor& grad) {
    const Tensor& base = ctx.input(0);
    const Tensor& exponent = ctx.input(1);
    if (ctx.needs_grad(0)) {
      const Tensor local = ctx.create_graph() ? where(exponent == 0.0, 0.0, exponent * pow(base, exponent - 1.0))
                                              : binary_map("pow backward", base, exponent, [](auto x, auto y) {
                                                  using T = decltype(x);
                                                  return y == T(0) ? T(0) : y * std::pow(x, y - T(1));
                                                });
      ctx.add_grad(0, sum_back(ctx, grad * local, base.shape()));
    }
    if (ctx.needs_grad(1)) {
      // d(x^y)/dy = x^y log x; at x == 0 with y >= 0 the limit is 0, as PyTorch takes it.
      const auto limit_is_zero = [](auto x, auto y) { return x == decltype(x)(0) && y >= decltype(y)(0); };
      const Tensor log_base =
          ctx.create_graph()
              ? where(kernels::compare_map("pow backward", base, exponent, limit_is_zero), 0.0, log(base))
              : binary_map("pow backward", base, exponent, [limit_is_zero](auto x, auto y) {
                  return limit_is_zero(x, y) ? decltype(x)(0) : std::log(x);
                });
      ctx.add_grad(1, sum_back(ctx, grad * ctx.output() * log_base, exponent.shape()));
    }
  });
}

namespace {
// a op= b: in place when the graph is not involved, else `a` rebound to the recorded out-of-place result.
template <class InPlace, class OutOfPlace>
Tensor& compound(Tensor& a, const Tensor& b, InPlace in_place, OutOfPlace out_of_place) {
  if (is_grad_enabled() && (a.requires_grad() || b.requires_grad())) return a = out_of_place(a, b);
  in_place(a, b);
  return a;
}
}  // namespace

Tensor& operator+=(Tensor& a, const Tensor& b) {
  return compound(
      a, b, [](Tensor& t, const Tensor& s) { t.add_(s); }, add);
}
Tensor& operator-=(Tensor& a, const Tensor& b) {
  return compound(
      a, b, [](Tensor& t, const Tensor& s) { t.sub_(s); }, sub);
}
Tensor& operator*=(Tensor& a, const Tensor& b) {
  return compound(
      a, b, [](Tensor& t, const Tensor& s) { t.mul_(s); }, mul);
}
Tensor& operator/=(Tensor& a, const Tensor& b) {
  return compound(
      a, b, [](Tensor& t, const Tensor& s) { t.div_(s); }, div);
}

Tensor Tensor::pow(double exponent) const { return ag::pow(*this, exponent); }
Tensor Tensor::pow(const Tensor& exponent) const { return ag::pow(*this, exponent); }

}  // namespace ag
