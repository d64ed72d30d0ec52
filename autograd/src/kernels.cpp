#include "kernels.hpp"

#include <cblas.h>

#include <algorithm>
#include <type_traits>

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

DType common_dtype(const char* op, const Tensor& a, const Tensor& b) {
  const auto common = promote_types(a.dtype(), a.dim() == 0, b.dtype(), b.dim() == 0);
  if (!common) fail_dtype_mismatch(op, a, b);
  return *common;
}

Tensor copy(const Tensor& x) {
  Tensor out = empty(x.shape(), x.dtype());
  dispatch(x.dtype(), [&]<class T>(T) { std::copy_n(x.data<T>(), x.numel(), out.mutable_data<T>()); });
  return out;
}

Tensor view_of(const Tensor& x, const Shape& shape, std::int64_t extra_offset) {
  detail::TensorImpl* source = x.impl();
  if (!source->storage) detail::fail_values_freed(*source);
  source->storage->retain();
  return Tensor(detail::TensorImpl::create_view(shape, source->dtype, source->storage, source->offset + extra_offset));
}

Lines lines_along(const Shape& shape, int dim) {
  Lines lines;
  if (shape.size() == 0) return lines;
  for (int d = 0; d < dim; ++d) lines.outer *= shape[d];
  lines.length = shape[dim];
  for (int d = dim + 1; d < shape.size(); ++d) lines.inner *= shape[d];
  return lines;
}

Tensor sum_to(const Tensor& source, const Shape& shape) {
  if (source.shape() == shape) return source;
  Tensor out = zeros(shape, source.dtype());
  dispatch_numeric(source.dtype(), "sum_to", [&]<class T>(T) {
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

template <class T>
void gemm(bool transpose_a, bool transpose_b, std::int64_t m, std::int64_t n, std::int64_t k, const T* a, const T* b,
          T* c, T beta) {
  const auto ta = transpose_a ? CblasTrans : CblasNoTrans;
  const auto tb = transpose_b ? CblasTrans : CblasNoTrans;
  const auto lda = static_cast<blasint>(transpose_a ? m : k);
  const auto ldb = static_cast<blasint>(transpose_b ? k : n);
  if constexpr (std::is_same_v<T, float>)
    cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, beta, c, n);
  else
    cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0, a, lda, b, ldb, beta, c, n);
}

template void gemm<float>(bool, bool, std::int64_t, std::int64_t, std::int64_t, const float*, const float*, float*,
                          float);
template void gemm<double>(bool, bool, std::int64_t, std::int64_t, std::int64_t, const double*, const double*, double*,
                           double);

}  // namespace ag::kernels
