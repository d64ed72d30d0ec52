#include <autograd/creation.hpp>
#include <autograd/function.hpp>
#include <autograd/ops/conversion.hpp>

#include <algorithm>

namespace ag {

namespace {
Tensor converted(const Tensor& x, DType dtype) {
  Tensor out = empty(x.shape(), dtype);
  dispatch(x.dtype(), [&]<class From>(From) {
    dispatch(dtype, [&]<class To>(To) {
      std::transform(x.data<From>(), x.data<From>() + x.numel(), out.mutable_data<To>(),
                     [](From v) { return static_cast<To>(v); });
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
  return make_op("to", converted(x, dtype), {x}, [](BackwardContext& ctx, const Tensor& grad) {
    ctx.add_grad(0, converted(grad, ctx.input(0).dtype()));
  });
}

}  // namespace ag
