#pragma once

// Loops shared by the ops: elementwise maps with NumPy broadcasting, and sums over broadcast dimensions.
// Internal to the library.

#include <autograd/creation.hpp>
#include <autograd/tensor.hpp>

#include <array>
#include <cstdint>

namespace ag::kernels {

using Strides = std::array<std::int64_t, kMaxDims>;

// Strides that read `shape` as if it were broadcast to `target` (0 along broadcast dimensions).
Strides broadcast_strides(const Shape& shape, const Shape& target);

[[noreturn]] void fail_dtype_mismatch(const char* op, const Tensor& a, const Tensor& b);

inline void check_same_dtype(const char* op, const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype()) fail_dtype_mismatch(op, a, b);
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

// out = f(a, b) elementwise with broadcasting; f is generic over the element type.
template <class F>
Tensor binary_map(const char* op, const Tensor& a, const Tensor& b, F f) {
  check_same_dtype(op, a, b);
  if (a.dim() == 0 && b.dim() == 0) {  // scalar graphs: skip the shape work entirely
    Tensor out = empty({}, a.dtype());
    dispatch(a.dtype(), [&]<class T>(T) { *out.mutable_data<T>() = f(*a.data<T>(), *b.data<T>()); });
    return out;
  }
  const bool same_shape = a.shape() == b.shape();
  const Shape out_shape = same_shape ? a.shape() : broadcast_shapes(a.shape(), b.shape(), op);
  Tensor out = empty(out_shape, a.dtype());
  dispatch(a.dtype(), [&]<class T>(T) {
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* po = out.mutable_data<T>();
    const std::int64_t n = out_shape.numel();
    if (same_shape) {
      for (std::int64_t i = 0; i < n; ++i) po[i] = f(pa[i], pb[i]);
    } else if (b.numel() == 1 && a.shape() == out_shape) {
      const T vb = pb[0];
      for (std::int64_t i = 0; i < n; ++i) po[i] = f(pa[i], vb);
    } else if (a.numel() == 1 && b.shape() == out_shape) {
      const T va = pa[0];
      for (std::int64_t i = 0; i < n; ++i) po[i] = f(va, pb[i]);
    } else {
      std::int64_t i = 0;
      for_each_offset(out_shape, broadcast_strides(a.shape(), out_shape), broadcast_strides(b.shape(), out_shape),
                      [&](std::int64_t oa, std::int64_t ob) { po[i++] = f(pa[oa], pb[ob]); });
    }
  });
  return out;
}

// out = f(x) elementwise.
template <class F>
Tensor unary_map(const Tensor& x, F f) {
  Tensor out = empty(x.shape(), x.dtype());
  dispatch(x.dtype(), [&]<class T>(T) {
    const T* px = x.data<T>();
    T* po = out.mutable_data<T>();
    const std::int64_t n = x.numel();
    for (std::int64_t i = 0; i < n; ++i) po[i] = f(px[i]);
  });
  return out;
}

inline Tensor copy(const Tensor& x) {
  return unary_map(x, [](auto v) { return v; });
}

// Sums `source` over the dimensions along which `shape` was broadcast to it; the result has `shape`.
Tensor sum_to(const Tensor& source, const Shape& shape);

// Copies `source` broadcast to `shape`.
Tensor broadcast_to(const Tensor& source, const Shape& shape);

}  // namespace ag::kernels
