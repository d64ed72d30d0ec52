#include <autograd/creation.hpp>
#include <autograd/function.hpp>
#include <autograd/ops/conversion.hpp>
#include <autograd/run_kernel.hpp>

#include <algorithm>

namespace ag {

namespace {
Tensor converted(const Tensor& x, DType dtype) {
  Tensor out = empty(x.shape(), dtype);
  // Float to integer truncates toward zero and float to bool tests for non-zero, as in PyTorch.
  dispatch(x.dtype(), [&]<class From>(From) {
    dispatch(dtype, [&]<class To>(To) {
      run_kernel(
          "to",
          [](const Tensor& x, Tensor& out) {
            std::transform(x.data<From>(), x.data<From>() + x.numel(), out.mutable_data<To>(),
                           [](From v) { return static_cast<To>(v); });
          },
          x, out);
    });
  });
  return out;
}
}  // namespace

Tensor clone(const Tensor& x) {
  return make_op("clone", converted(x, x.dtype()), {x},
                 [](BackwardContext& ctx, const Tensor& grad) { ctx.add_grad(0, grad); });
}

Tensor to_dtype(const Tensor& x, DType dtype) {
  if (x.dtype() == dtype) return x;
  if (!is_floating_point(dtype)) return converted(x, dtype);  // integers and bools carry no gradient
  return make_op("to", converted(x, dtype), {x}, [](BackwardContext& ctx, const Tensor& grad) {
    ctx.add_grad(0, to_dtype(grad, ctx.input(0).dtype()));
  });
}

Tensor Tensor::clone() const { return ag::clone(*this); }
Tensor Tensor::to(DType dtype) const { return ag::to_dtype(*this, dtype); }

}  // namespace ag
