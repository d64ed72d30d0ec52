#include <autograd/function.hpp>
#include <autograd/ops/activation.hpp>
#include <autograd/ops/arithmetic.hpp>
#include <autograd/ops/comparison.hpp>
#include <autograd/ops/math.hpp>

#include "../kernels.hpp"

#include <cmath>
#include <numbers>

namespace ag {

using kernels::binary_map;
using kernels::unary_map;

namespace {
// Written so that neither branch overflows exp for large |v|.
template <class T>
T stable_sigmoid(T v) {
  return v >= T(0) ? T(1) / (T(1) + std::exp(-v)) : std::exp(v) / (T(1) + std::exp(v));
}
}  // namespace

Tensor sigmoid(const Tensor& x) {
  Tensor out = unary_map("sigmoid", x, [](auto v) { return stable_sigmoid(v); });
  return make_op(
      "sigmoid", std::move(out), {x},
      [](BackwardContext& ctx, const Tensor& grad) {
        const Tensor output = ctx.output();
        if (ctx.create_graph()) {
          ctx.add_grad(0, grad * output * (1.0 - output));
        } else {
          ctx.add_grad(0, binary_map("sigmoid backward", grad, output, [](auto g, auto y) { return g * y * (1 - y); }));
        }
      },
      kSavesOutputOnly);
}

Tensor tanh(const Tensor& x) {
  Tensor out = unary_map("tanh", x, [](auto v) { return std::tanh(v); });
  return make_op(
      "tanh", std::move(out), {x},
      [](BackwardContext& ctx, const Tensor& grad) {
        const Tensor output = ctx.output();
        if (ctx.create_graph()) {
          ctx.add_grad(0, grad * (1.0 - output * output));
        } else {
          ctx.add_grad(0, binary_map("tanh backward", grad, output, [](auto g, auto y) { return g * (1 - y * y); }));
        }
      },
      kSavesOutputOnly);
}

Tensor relu(const Tensor& x) {
  // NaN < 0 is false, so a NaN stays NaN, as in PyTorch: a diverged network shows NaN, not 0.
  Tensor out = unary_map("relu", x, [](auto v) { return v < 0 ? decltype(v)(0) : v; });
  return make_op(
      "relu", std::move(out), {x},
      [](BackwardContext& ctx, const Tensor& grad) {
        // PyTorch's threshold_backward: the gradient passes where the output is positive, so none at 0 or at a NaN.
        const Tensor output = ctx.output();
        if (ctx.create_graph()) {
          ctx.add_grad(0, grad * (output > 0.0));  // the bool mask is a constant
        } else {
          ctx.add_grad(
              0, binary_map("relu backward", grad, output, [](auto g, auto y) { return y > 0 ? g : decltype(g)(0); }));
        }
      },
      kSavesOutputOnly);
}

Tensor softplus(const Tensor& x, double beta, double threshold) {
  if (!(beta > 0.0)) fail("softplus: beta must be positive, got {} (input shape {})", beta, x.shape());
  Tensor out = unary_map("softplus", x, [beta, threshold](auto v) {
    using T = decltype(v);
    const T scaled = static_cast<T>(beta) * v;
    return scaled > static_cast<T>(threshold) ? v : std::log1p(std::exp(scaled)) / static_cast<T>(beta);
  });
  return make_op("softplus", std::move(out), {x}, [beta, threshold](BackwardContext& ctx, const Tensor& grad) {
    const Tensor& x = ctx.input(0);
    if (ctx.create_graph()) {
      const Tensor scaled = beta * x;
      ctx.add_grad(0, where(scaled > threshold, grad, grad * sigmoid(scaled)));
    } else {
      ctx.add_grad(0, binary_map("softplus backward", grad, x, [beta, threshold](auto g, auto v) {
                     using T = decltype(v);
                     const T scaled = static_cast<T>(beta) * v;
                     return scaled > static_cast<T>(threshold) ? g : g * stable_sigmoid(scaled);
                   }));
    }
  });
}

Tensor gelu(const Tensor& x, std::string_view approximate) {
  if (approximate == "none") {
    // x Φ(x); d = Φ(x) + x φ(x)
    Tensor out = unary_map("gelu", x, [](auto v) {
      using T = decltype(v);
      return v * T(0.5) * (T(1) + std::erf(v / static_cast<T>(std::numbers::sqrt2)));
    });
    return make_op("gelu", std::move(out), {x}, [](BackwardContext& ctx, const Tensor& grad) {
      const Tensor& x = ctx.input(0);
      const Tensor cdf = 0.5 * (1.0 + erf(x * (1.0 / std::numbers::sqrt2)));
      const Tensor pdf = exp(-0.5 * x * x) * (1.0 / std::sqrt(2.0 * std::numbers::pi));
      ctx.add_grad(0, grad * (cdf + x * pdf));
    });
  }
  if (approximate == "tanh") {
    // 0.5 x (1 + tanh(u)) with u = sqrt(2/pi) (x + 0.044715 x³), written from differentiable ops.
    const double k = std::sqrt(2.0 / std::numbers::pi);
    const Tensor u = k * (x + 0.044715 * x * x * x);
    return 0.5 * x * (1.0 + tanh(u));
  }
  fail("gelu: approximate must be \"none\" or \"tanh\", got \"{}\"", approximate);
}

Tensor silu(const Tensor& x) {
  Tensor out = unary_map("silu", x, [](auto v) { return v * stable_sigmoid(v); });
  return make_op("silu", std::move(out), {x}, [](BackwardContext& ctx, const Tensor& grad) {
    const Tensor& x = ctx.input(0);
    if (ctx.create_graph()) {
      const Tensor s = sigmoid(x);
      ctx.add_grad(0, grad * s * (1.0 + x * (1.0 - s)));
    } else {
      ctx.add_grad(0, binary_map("silu backward", grad, x, [](auto g, auto v) {
                     using T = decltype(v);
                     const T s = stable_sigmoid(v);
                     return g * s * (T(1) + v * (T(1) - s));
                   }));
    }
  });
}

Tensor Tensor::sigmoid() const { return ag::sigmoid(*this); }
Tensor Tensor::tanh() const { return ag::tanh(*this); }
Tensor Tensor::relu() const { return ag::relu(*this); }

}  // namespace ag
