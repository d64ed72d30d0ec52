#include <autograd/creation.hpp>
#include <autograd/function.hpp>
#include <autograd/ops/elementwise.hpp>
#include <autograd/ops/reduction.hpp>
#include <autograd/ops/softmax.hpp>

#include "../kernels.hpp"

#include <algorithm>
#include <cmath>

namespace ag {

namespace {

template <bool kLog>
Tensor softmax_forward(const Tensor& x, int dim) {
  Tensor out = empty(x.shape(), x.dtype());
  const kernels::Lines lines = kernels::lines_along(x.shape(), dim);
  const std::int64_t length = lines.length;
  const char* op = kLog ? "log_softmax" : "softmax";
  dispatch_floating(x.dtype(), op, [&]<class T>(T) {
    run_kernel(
        op,
        [lines, length](const Tensor& x, Tensor& out) {
          const T* px = x.data<T>();
          T* po = out.mutable_data<T>();
          kernels::for_each_line(lines, [&](std::int64_t start, std::int64_t stride, std::int64_t) {
            T largest = -INFINITY;
            for (std::int64_t k = 0; k < length; ++k) largest = std::max(largest, px[start + k * stride]);
            if (!std::isfinite(largest)) largest = 0;  // all -inf (or a nan): no shift, let the nans show
            T total = 0;
            for (std::int64_t k = 0; k < length; ++k) total += std::exp(px[start + k * stride] - largest);
            const T log_total = std::log(total);
            for (std::int64_t k = 0; k < length; ++k) {
              const T shifted = px[start + k * stride] - largest;
              po[start + k * stride] = kLog ? shifted - log_total : std::exp(shifted - log_total);
            }
          });
        },
        x, out);
  });
  return out;
}

// softmax:     dx = y * (g - sum(g * y))
// log_softmax: dx = g - exp(y) * sum(g)
// in one pass over each line; softmax_op writes the same from recorded ops for create_graph.
template <bool kLog>
Tensor softmax_backward(const Tensor& grad, const Tensor& y, int dim) {
  Tensor gx = empty(y.shape(), y.dtype());
  const kernels::Lines lines = kernels::lines_along(y.shape(), dim);
  const std::int64_t length = lines.length;
  dispatch_floating(y.dtype(), "softmax backward", [&]<class T>(T) {
    run_kernel(
        "softmax backward",
        [lines, length](const Tensor& grad, const Tensor& y, Tensor& gx) {
          const T* pg = grad.data<T>();
          const T* py = y.data<T>();
          T* out = gx.mutable_data<T>();
          kernels::for_each_line(lines, [&](std::int64_t start, std::int64_t stride, std::int64_t) {
            T total = 0;
            for (std::int64_t k = 0; k < length; ++k) {
              const std::int64_t i = start + k * stride;
              total += kLog ? pg[i] : pg[i] * py[i];
            }
            for (std::int64_t k = 0; k < length; ++k) {
              const std::int64_t i = start + k * stride;
              out[i] = kLog ? pg[i] - std::exp(py[i]) * total : py[i] * (pg[i] - total);
            }
          });
        },
        grad, y, gx);
  });
  return gx;
}

template <bool kLog>
Tensor softmax_op(const char* name, const Tensor& x, std::int64_t dim) {
  const int d = normalize_dim(dim, x.dim(), name);
  return make_op(
      name, softmax_forward<kLog>(x, d), {x},
      [d](BackwardContext& ctx, const Tensor& grad) {
        const Tensor y = ctx.output();
        if (!ctx.create_graph())
          ctx.add_grad(0, softmax_backward<kLog>(grad, y, d));
        else if constexpr (kLog)
          ctx.add_grad(0, grad - exp(y) * sum(grad, d, true));
        else
          ctx.add_grad(0, y * (grad - sum(grad * y, d, true)));
      },
      kSavesOutputOnly);
}

}  // namespace

Tensor softmax(const Tensor& x, std::int64_t dim) { return softmax_op<false>("softmax", x, dim); }
Tensor log_softmax(const Tensor& x, std::int64_t dim) { return softmax_op<true>("log_softmax", x, dim); }

Tensor Tensor::softmax(std::int64_t dim) const { return ag::softmax(*this, dim); }
Tensor Tensor::log_softmax(std::int64_t dim) const { return ag::log_softmax(*this, dim); }

}  // namespace ag
