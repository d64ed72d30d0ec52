#pragma once

// The loops that op writers build on, internal to the library (include "kernels.hpp" from autograd/src):
//   dispatch_types<Types::X>   run a generic lambda on the C++ type of a dtype, refusing dtypes outside a set
//   unary_map / binary_map     elementwise maps, binary ones with NumPy broadcasting
//   compare_map                elementwise predicate of two broadcast tensors, giving a bool tensor
//   copy / view_of             a tensor with values of its own, or one sharing them
//   promoted                   calls a binary op again on its inputs converted to their common dtype
//   for_each_line              visits the 1-D lines of a tensor along one dimension (softmax, cumsum, reductions)
//   sum_to / broadcast_to      the two directions of broadcasting
//   gemm                       a row-major matrix product, on the kernel that is fastest for its size
// All tensors are contiguous, so a kernel reads data<T>() as a flat row-major array. Each loop that writes values runs
// inside ag::run_kernel (autograd/run_kernel.hpp), after the dtype dispatch, so that a trace replays the typed loop.

#include <autograd/creation.hpp>
#include <autograd/run_kernel.hpp>
#include <autograd/tensor.hpp>

#include <array>
#include <cstdint>

namespace ag::kernels {

// Which dtypes a kernel runs on; the others throw ag::Error naming the op and the dtype.
enum class Types { Floating, Numeric, All };

template <Types kTypes, class F>
decltype(auto) dispatch_types(DType dtype, const char* op, F&& f) {
  if constexpr (kTypes == Types::Floating)
    return dispatch_floating(dtype, op, std::forward<F>(f));
  else if constexpr (kTypes == Types::Numeric)
    return dispatch_numeric(dtype, op, std::forward<F>(f));
  else
    return dispatch(dtype, std::forward<F>(f));
}

using Strides = std::array<std::int64_t, kMaxDims>;

// Strides that read `shape` as if it were broadcast to `target` (0 along broadcast dimensions).
Strides broadcast_strides(const Shape& shape, const Shape& target);

[[noreturn]] void fail_dtype_mismatch(const char* op, const Tensor& a, const Tensor& b);

inline void check_same_dtype(const char* op, const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype()) fail_dtype_mismatch(op, a, b);
}

// The dtype a binary op computes in (see ag::promote_types), or the "dtype mismatch" error naming both shapes.
DType common_dtype(const char* op, const Tensor& a, const Tensor& b);

// For a binary op whose inputs differ in dtype: `op_fn` applied to both converted to their common dtype. The
// conversions are recorded, so gradients flow back in each input's own dtype.
template <class OpFn>
Tensor promoted(OpFn op_fn, const char* op, const Tensor& a, const Tensor& b) {
  const DType common = common_dtype(op, a, b);
  return op_fn(a.to(common), b.to(common));
}

// Calls visit(offset_a, offset_b) for every element of `shape` in row-major order, each operand walking
// its own strides.
template <class Visit>
void for_each_offset(const Shape& shape, const Strides& strides_a, const Strides& strides_b, Visit&& visit) {
  const int ndim = shape.size();
  if (shape.numel() == 0) return;
  if (ndim == 0) return visit(std::int64_t{0}, std::int64_t{0});
  const std::int64_t inner = shape[ndim - 1];
  const std::int64_t inner_a = strides_a[ndim - 1];
  const std::int64_t inner_b = strides_b[ndim - 1];
  std::array<std::int64_t, kMaxDims> counter{};
  std::int64_t base_a = 0;
  std::int64_t base_b = 0;
  for (std::int64_t outer = shape.numel() / inner; outer > 0; --outer) {
    for (std::int64_t i = 0; i < inner; ++i) visit(base_a + i * inner_a, base_b + i * inner_b);
    for (int d = ndim - 2; d >= 0; --d) {
      base_a += strides_a[d];
      base_b += strides_b[d];
      if (++counter[d] < shape[d]) break;
      base_a -= strides_a[d] * shape[d];
      base_b -= strides_b[d] * shape[d];
      counter[d] = 0;
    }
  }
}

// po[i] = f(pa[..], pb[..]) over `out_shape`, the broadcast shape of a (elements TA) and b (elements TB).
template <class TA, class TB, class R, class F>
void broadcast_loop(const Tensor& a, const Tensor& b, const Shape& out_shape, R* po, F& f) {
  const TA* pa = a.data<TA>();
  const TB* pb = b.data<TB>();
  const std::int64_t n = out_shape.numel();
  if (a.shape() == b.shape()) {
    for (std::int64_t i = 0; i < n; ++i) po[i] = f(pa[i], pb[i]);
  } else if (b.numel() == 1 && a.shape() == out_shape) {
    const TB vb = pb[0];
    for (std::int64_t i = 0; i < n; ++i) po[i] = f(pa[i], vb);
  } else if (a.numel() == 1 && b.shape() == out_shape) {
    const TA va = pa[0];
    for (std::int64_t i = 0; i < n; ++i) po[i] = f(va, pb[i]);
  } else {
    std::int64_t i = 0;
    for_each_offset(out_shape, broadcast_strides(a.shape(), out_shape), broadcast_strides(b.shape(), out_shape),
                    [&](std::int64_t oa, std::int64_t ob) { po[i++] = f(pa[oa], pb[ob]); });
  }
}

inline Shape broadcast_shape_of(const char* op, const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() ? a.shape() : broadcast_shapes(a.shape(), b.shape(), op);
}

// out = f(a, b) elementwise with broadcasting, in the dtype both share; f is generic over the element type.
template <Types kTypes = Types::Floating, class F>
Tensor binary_map(const char* op, const Tensor& a, const Tensor& b, F f) {
  check_same_dtype(op, a, b);
  if (a.dim() == 0 && b.dim() == 0) {  // scalar graphs: skip the shape work entirely
    Tensor out = empty({}, a.dtype());
    dispatch_types<kTypes>(a.dtype(), op, [&]<class T>(T) {
      run_kernel(
          op,
          [f](const Tensor& a, const Tensor& b, Tensor& out) mutable {
            *out.mutable_data<T>() = static_cast<T>(f(*a.data<T>(), *b.data<T>()));
          },
          a, b, out);
    });
    return out;
  }
  const Shape out_shape = broadcast_shape_of(op, a, b);
  Tensor out = empty(out_shape, a.dtype());
  dispatch_types<kTypes>(a.dtype(), op, [&]<class T>(T) {
    run_kernel(
        op,
        [f](const Tensor& a, const Tensor& b, Tensor& out) mutable {
          broadcast_loop<T, T>(a, b, out.shape(), out.mutable_data<T>(), f);
        },
        a, b, out);
  });
  return out;
}

// A bool tensor of pred(a, b) elementwise with broadcasting; a and b share a dtype (any).
template <class Pred>
Tensor compare_map(const char* op, const Tensor& a, const Tensor& b, Pred pred) {
  check_same_dtype(op, a, b);
  const Shape out_shape = broadcast_shape_of(op, a, b);
  Tensor out = empty(out_shape, kBool);
  dispatch(a.dtype(), [&]<class T>(T) {
    run_kernel(
        op,
        [pred](const Tensor& a, const Tensor& b, Tensor& out) mutable {
          // Written as bytes: a loop storing bools does not vectorize.
          auto* po = reinterpret_cast<unsigned char*>(out.mutable_data<bool>());
          broadcast_loop<T, T>(a, b, out.shape(), po, pred);
        },
        a, b, out);
  });
  return out;
}

// out = f(x) elementwise, in x's dtype.
template <Types kTypes = Types::Floating, class F>
Tensor unary_map(const char* op, const Tensor& x, F f) {
  Tensor out = empty(x.shape(), x.dtype());
  dispatch_types<kTypes>(x.dtype(), op, [&]<class T>(T) {
    run_kernel(
        op,
        [f](const Tensor& x, Tensor& out) mutable {
          const T* px = x.data<T>();
          T* po = out.mutable_data<T>();
          const std::int64_t n = x.numel();
          for (std::int64_t i = 0; i < n; ++i) po[i] = static_cast<T>(f(px[i]));
        },
        x, out);
  });
  return out;
}

// A copy with values of its own, any dtype.
Tensor copy(const Tensor& x);

// A tensor of `shape` sharing x's values from `extra_offset` elements on (all tensors are contiguous, so any
// reshape, and any run of whole rows, is a view). Not recorded in the graph.
Tensor view_of(const Tensor& x, const Shape& shape, std::int64_t extra_offset = 0);

// How a dimension cuts a tensor: `outer` blocks, each of `length` steps along the dimension, each step `inner`
// contiguous elements apart. For shape [2, 3, 4] along dim 1: outer 2, length 3, inner 4.
struct Lines {
  std::int64_t outer = 1;
  std::int64_t length = 1;
  std::int64_t inner = 1;
  std::int64_t count() const { return outer * inner; }
};
Lines lines_along(const Shape& shape, int dim);

// Calls line(start, stride, index) for each 1-D line along `dim`: its elements are at start + k * stride for
// k < lines.length, and `index` counts lines 0, 1, ... in the row-major order of the other dimensions.
template <class Line>
void for_each_line(const Lines& lines, Line&& line) {
  std::int64_t index = 0;
  for (std::int64_t o = 0; o < lines.outer; ++o)
    for (std::int64_t i = 0; i < lines.inner; ++i) line(o * lines.length * lines.inner + i, lines.inner, index++);
}

// Sums `source` over the dimensions along which `shape` was broadcast to it; the result has `shape`.
Tensor sum_to(const Tensor& source, const Shape& shape);

// Copies `source` broadcast to `shape`.
Tensor broadcast_to(const Tensor& source, const Shape& shape);

// c = op(a) · op(b) + beta · c for row-major a [m, k], b [k, n], c [m, n], where op transposes when asked (the
// kernels read a transposed operand in place); with beta = 0, c is only written. T is float or double. Where it runs
// (measured on the shapes ag runs, see docs/performance.md):
//   m·n·k <= kLoopProduct          a plain loop: a library call costs more than the product;
//   float, m·n·k <= kBlasProduct   OpenBLAS, whose small-product path has the least overhead;
//   float, larger                  oneDNN's dnnl_sgemm, which picks its kernels from the CPU's features at run time
//                                  (OpenBLAS 0.3.21 runs unknown CPUs on its SSE3 kernels, 4-5x slower);
//   double, larger                 OpenBLAS.
template <class T>
void gemm(bool transpose_a, bool transpose_b, std::int64_t m, std::int64_t n, std::int64_t k, const T* a, const T* b,
          T* c, T beta = T(0));

inline constexpr std::int64_t kLoopProduct = 128;
inline constexpr std::int64_t kBlasProduct = 16384;

// The thread count ag::set_num_threads asked for, for the oneDNN calls of every thread.
void set_dnnl_threads(int threads);
// Gives the calling thread's OpenMP runtime (on which oneDNN runs) the thread count ag::set_num_threads asked for:
// OpenMP keeps that count per thread, so every thread calls this before calling oneDNN (cheap: one comparison when
// nothing changed). Returns the count now in effect on this thread (0: OpenMP's own default).
int apply_dnnl_threads();

}  // namespace ag::kernels
