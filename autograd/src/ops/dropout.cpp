#include <autograd/creation.hpp>
#include <autograd/function.hpp>
#include <autograd/ops/arithmetic.hpp>
#include <autograd/ops/dropout.hpp>
#include <autograd/random.hpp>

#include "../kernels.hpp"

#include <vector>

namespace ag {

Tensor dropout(const Tensor& x, double p, bool training) {
  if (!(p >= 0.0 && p <= 1.0))
    fail("dropout: p = {} is not a probability (expected 0 <= p <= 1); input has shape {}", p, x.shape());
  if (!is_floating_point(x.dtype()))
    fail("dropout: input of shape {} has dtype {}, expected float32 or float64", x.shape(), dtype_name(x.dtype()));
  if (!training || p == 0.0) return x;

  // The mask holds 0 or 1 / (1 - p), in x's dtype, so that the output and the gradient are one product each. It is
  // drawn inside the kernel, so that each replay of a trace draws a new mask, as an eager step would.
  const double scale = p == 1.0 ? 0.0 : 1.0 / (1.0 - p);
  Tensor mask = empty(x.shape(), x.dtype());
  Tensor out = empty(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), "dropout", [&]<class T>(T) {
    run_kernel(
        "dropout",
        [p, scale](const Tensor& x, Tensor& mask, Tensor& out) {
          std::vector<double> draws(static_cast<std::size_t>(x.numel()));
          fill_uniform(draws.data(), x.numel(), 0.0, 1.0);
          const T* px = x.data<T>();
          T* pm = mask.mutable_data<T>();
          T* po = out.mutable_data<T>();
          for (std::int64_t i = 0; i < x.numel(); ++i) {
            pm[i] = draws[i] < p ? T(0) : static_cast<T>(scale);
            po[i] = px[i] * pm[i];
          }
        },
        x, mask, out);
  });
  return make_op(
      "dropout", std::move(out), {x},
      // Under create_graph the product is recorded, with the mask a constant: it is differentiable again as it is.
      [mask](BackwardContext& ctx, const Tensor& grad) { ctx.add_grad(0, grad * mask); }, kSavesShapesOnly);
}

}  // namespace ag
