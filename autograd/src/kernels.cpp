#include "kernels.hpp"

#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>
#ifdef AG_DNNL_OPENMP
#include <omp.h>
#endif

#include <algorithm>
#include <atomic>
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
  dispatch(x.dtype(), [&]<class T>(T) {
    run_kernel(
        "copy", [](const Tensor& x, Tensor& out) { std::copy_n(x.data<T>(), x.numel(), out.mutable_data<T>()); }, x,
        out);
  });
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
  Tensor out = empty(shape, source.dtype());
  dispatch_numeric(source.dtype(), "sum_to", [&]<class T>(T) {
    run_kernel(
        "sum_to",
        [](const Tensor& source, Tensor& out) {
          const T* ps = source.data<T>();
          T* po = out.mutable_data<T>();
          std::fill_n(po, out.numel(), T(0));
          std::int64_t i = 0;
          for_each_offset(source.shape(), broadcast_strides(out.shape(), source.shape()), Strides{},
                          [&](std::int64_t oo, std::int64_t) { po[oo] += ps[i++]; });
        },
        source, out);
  });
  return out;
}

Tensor broadcast_to(const Tensor& source, const Shape& shape) {
  if (source.shape() == shape) return source;
  Tensor out = empty(shape, source.dtype());
  dispatch(source.dtype(), [&]<class T>(T) {
    run_kernel(
        "broadcast_to",
        [](const Tensor& source, Tensor& out) {
          const T* ps = source.data<T>();
          T* po = out.mutable_data<T>();
          std::int64_t i = 0;
          for_each_offset(out.shape(), broadcast_strides(source.shape(), out.shape()), Strides{},
                          [&](std::int64_t os, std::int64_t) { po[i++] = ps[os]; });
        },
        source, out);
  });
  return out;
}

namespace {

// The whole product in a loop, for the tiniest ones. Each row of c is accumulated along k with independent sums per
// column, so no sum waits on the previous one.
template <class T>
void loop_gemm(bool transpose_a, bool transpose_b, std::int64_t m, std::int64_t n, std::int64_t k, const T* a,
               const T* b, T* c, T beta) {
  const std::int64_t a_row = transpose_a ? 1 : k;  // a(i, p) = a[i * a_row + p * a_col]
  const std::int64_t a_col = transpose_a ? m : 1;
  const std::int64_t b_row = transpose_b ? 1 : n;  // b(p, j) = b[p * b_row + j * b_col]
  const std::int64_t b_col = transpose_b ? k : 1;
  for (std::int64_t i = 0; i < m; ++i) {
    T* row = c + i * n;
    for (std::int64_t j = 0; j < n; ++j) row[j] = beta == T(0) ? T(0) : beta * row[j];
    for (std::int64_t p = 0; p < k; ++p) {
      const T scale = a[i * a_row + p * a_col];
      const T* b_p = b + p * b_row;
      for (std::int64_t j = 0; j < n; ++j) row[j] += scale * b_p[j * b_col];
    }
  }
}

std::atomic<int> dnnl_threads{0};  // 0: set_num_threads was never called; oneDNN keeps OpenMP's default

}  // namespace

void set_dnnl_threads(int threads) { dnnl_threads.store(threads, std::memory_order_relaxed); }

int apply_dnnl_threads() {
#ifdef AG_DNNL_OPENMP
  thread_local int applied = 0;
  const int wanted = dnnl_threads.load(std::memory_order_relaxed);
  if (wanted != applied && wanted != 0) {
    omp_set_num_threads(wanted);
    applied = wanted;
  }
  return applied;
#else
  return 0;
#endif
}

template <class T>
void gemm(bool transpose_a, bool transpose_b, std::int64_t m, std::int64_t n, std::int64_t k, const T* a, const T* b,
          T* c, T beta) {
  if (m == 0 || n == 0) return;
  const std::int64_t lda = transpose_a ? m : k;
  const std::int64_t ldb = transpose_b ? k : n;
  if (m * n * k <= kLoopProduct) return loop_gemm(transpose_a, transpose_b, m, n, k, a, b, c, beta);
  const auto ta = transpose_a ? CblasTrans : CblasNoTrans;
  const auto tb = transpose_b ? CblasTrans : CblasNoTrans;
  if constexpr (std::is_same_v<T, float>) {
    if (m * n * k <= kBlasProduct) return cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, beta, c, n);
    apply_dnnl_threads();
    const dnnl_status_t status =
        dnnl_sgemm(transpose_a ? 'T' : 'N', transpose_b ? 'T' : 'N', m, n, k, 1.0f, a, lda, b, ldb, beta, c, n);
    if (status != dnnl_success)
      fail("matmul: oneDNN's sgemm failed (status {}) on [{}, {}] x [{}, {}]", static_cast<int>(status), m, k, k, n);
  } else {
    cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0, a, lda, b, ldb, beta, c, n);
  }
}

template void gemm<float>(bool, bool, std::int64_t, std::int64_t, std::int64_t, const float*, const float*, float*,
                          float);
template void gemm<double>(bool, bool, std::int64_t, std::int64_t, std::int64_t, const double*, const double*, double*,
                           double);

}  // namespace ag::kernels
