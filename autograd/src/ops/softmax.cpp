#include <autograd/creation.hpp>
#include <autograd/function.hpp>
#include <autograd/ops/softmax.hpp>

#include <algorithm>
#include <cmath>

namespace ag {

namespace {

// Calls row(offset, stride, length) for each 1-D line of x along dim.
template <class Row>
void for_each_line(const Shape& shape, int dim, Row row) {
  std::int64_t outer = 1;
  std::int64_t inner = 1;
  for (int d = 0; d < dim; ++d) outer *= shape[d];
  for (int d = dim + 1; d < shape.size(); ++d) inner *= shape[d];
  const std::int64_t length = shape.size() ? shape[dim] : 1;
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::int64_t i = 0; i < inner; ++i) row(o * length * inner + i, inner, length);
}

template <bool kLog>
Tensor softmax_forward(const Tensor& x, int dim) {
  Tensor out = empty(x.shape(), x.dtype());
  dispatch(x.dtype(), [&]<class T>(T) {
    const T* px = x.data<T>();
    T* po = out.mutable_data<T>();
    for_each_line(x.shape(), dim, [&](std::int64_t start, std::int64_t stride, std::int64_t length) {
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
  });
  return out;
}

// softmax:     dx = y * (g - sum(g * y))
// log_softmax: dx = g - exp(y) * sum(g)
template <bool kLog>
Tensor softmax_backward(const Tensor& grad, const Tensor& y, int dim) {
  Tensor gx = empty(y.shape(), y.dtype());
  dispatch(y.dtype(), [&]<class T>(T) {
    const T* pg = grad.data<T>();
    const T* py = y.data<T>();
    T* out = gx.mutable_data<T>();
    for_each_line(y.shape(), dim, [&](std::int64_t start, std::int64_t stride, std::int64_t length) {
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
  });
  return gx;
}

template <bool kLog>
Tensor softmax_op(const char* name, const Tensor& x, std::int64_t dim) {
  const int d = normalize_dim(dim, x.dim(), name);
  return make_op(name, softmax_forward<kLog>(x, d), {x}, [d](BackwardContext& ctx, const Tensor& grad) {
    ctx.add_grad(0, softmax_backward<kLog>(grad, ctx.output(), d));
  });
}

}  // namespace

Tensor softmax(const Tensor& x, std::int64_t dim) { return softmax_op<false>("softmax", x, dim); }
Tensor log_softmax(const Tensor& x, std::int64_t dim) { return softmax_op<true>("log_softmax", x, dim); }

}  // namespace ag
