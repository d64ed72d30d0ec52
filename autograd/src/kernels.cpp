#include "kernels.hpp"

namespace ag::kernels {

Strides broadcast_strides(const Shape& shape, const Shape& target) {
  const Strides own = contiguous_strides(shape);
  Strides strides{};
  const int lead = target.size() - shape.size();
  for (int d = 0; d < shape.size(); ++d) strides[lead + d] = shape[d] == 1 ? 0 : own[d];
  return strides;
}

void fail_dtype_mismatch(const char* op, const Tensor& a, const Tensor& b) {
  fail("{}: dtype mismatch: {} (shape {}) and {} (shape {}); convert one with .to()", op, dtype_name(a.dtype()),
       a.shape(), dtype_name(b.dtype()), b.shape());
}

Tensor sum_to(const Tensor& source, const Shape& shape) {
  if (source.shape() == shape) return source;
  Tensor out = zeros(shape, source.dtype());
  dispatch(source.dtype(), [&]<class T>(T) {
    const T* ps = source.data<T>();
    T* po = out.mutable_data<T>();
    std::int64_t i = 0;
    for_each_offset(source.shape(), broadcast_strides(shape, source.shape()), Strides{},
                    [&](std::int64_t oo, std::int64_t) { po[oo] += ps[i++]; });
  });
  return out;
}

Tensor broadcast_to(const Tensor& source, const Shape& shape) {
  if (source.shape() == shape) return source;
  Tensor out = empty(shape, source.dtype());
  dispatch(source.dtype(), [&]<class T>(T) {
    const T* ps = source.data<T>();
    T* po = out.mutable_data<T>();
    std::int64_t i = 0;
    for_each_offset(shape, broadcast_strides(source.shape(), shape), Strides{},
                    [&](std::int64_t os, std::int64_t) { po[i++] = ps[os]; });
  });
  return out;
}

}  // namespace ag::kernels
