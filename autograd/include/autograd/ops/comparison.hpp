#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Comparisons and selection by a mask (src/ops/comparison.cpp). Comparisons take any dtypes (promoted as in
/// arithmetic.hpp), return bool tensors and carry no gradient.

#include <autograd/ops/arithmetic.hpp>
#include <autograd/tensor.hpp>

namespace ag {

/// a == b elementwise, broadcast, as a bool tensor; no gradient.
/// Throws ag::Error if the shapes do not broadcast or the dtypes mix float32 and float64.
Tensor eq(const Tensor& a, const Tensor& b);
/// a != b elementwise, broadcast, as a bool tensor; no gradient.
/// Throws ag::Error if the shapes do not broadcast or the dtypes mix float32 and float64.
Tensor ne(const Tensor& a, const Tensor& b);
/// a < b elementwise, broadcast, as a bool tensor; no gradient.
/// Throws ag::Error if the shapes do not broadcast or the dtypes mix float32 and float64.
Tensor lt(const Tensor& a, const Tensor& b);
/// a <= b elementwise, broadcast, as a bool tensor; no gradient.
/// Throws ag::Error if the shapes do not broadcast or the dtypes mix float32 and float64.
Tensor le(const Tensor& a, const Tensor& b);
/// a > b elementwise, broadcast, as a bool tensor; no gradient.
/// Throws ag::Error if the shapes do not broadcast or the dtypes mix float32 and float64.
Tensor gt(const Tensor& a, const Tensor& b);
/// a >= b elementwise, broadcast, as a bool tensor; no gradient.
/// Throws ag::Error if the shapes do not broadcast or the dtypes mix float32 and float64.
Tensor ge(const Tensor& a, const Tensor& b);

/// a == b: eq(a, b).
inline Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
/// a != b: ne(a, b).
inline Tensor operator!=(const Tensor& a, const Tensor& b) { return ne(a, b); }
/// a < b: lt(a, b).
inline Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
/// a <= b: le(a, b).
inline Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
/// a > b: gt(a, b).
inline Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
/// a >= b: ge(a, b).
inline Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
/// a == b for a number b, taken as scalar_like(a, b).
template <Number N>
Tensor operator==(const Tensor& a, N b) {
  return eq(a, scalar_like(a, b));
}
/// a != b for a number b, taken as scalar_like(a, b).
template <Number N>
Tensor operator!=(const Tensor& a, N b) {
  return ne(a, scalar_like(a, b));
}
/// a < b for a number b, taken as scalar_like(a, b).
template <Number N>
Tensor operator<(const Tensor& a, N b) {
  return lt(a, scalar_like(a, b));
}
/// a <= b for a number b, taken as scalar_like(a, b).
template <Number N>
Tensor operator<=(const Tensor& a, N b) {
  return le(a, scalar_like(a, b));
}
/// a > b for a number b, taken as scalar_like(a, b).
template <Number N>
Tensor operator>(const Tensor& a, N b) {
  return gt(a, scalar_like(a, b));
}
/// a >= b for a number b, taken as scalar_like(a, b).
template <Number N>
Tensor operator>=(const Tensor& a, N b) {
  return ge(a, scalar_like(a, b));
}
/// a == b for a number a, taken as scalar_like(b, a).
template <Number N>
Tensor operator==(N a, const Tensor& b) {
  return eq(scalar_like(b, a), b);
}
/// a != b for a number a, taken as scalar_like(b, a).
template <Number N>
Tensor operator!=(N a, const Tensor& b) {
  return ne(scalar_like(b, a), b);
}
/// a < b for a number a, taken as scalar_like(b, a).
template <Number N>
Tensor operator<(N a, const Tensor& b) {
  return lt(scalar_like(b, a), b);
}
/// a <= b for a number a, taken as scalar_like(b, a).
template <Number N>
Tensor operator<=(N a, const Tensor& b) {
  return le(scalar_like(b, a), b);
}
/// a > b for a number a, taken as scalar_like(b, a).
template <Number N>
Tensor operator>(N a, const Tensor& b) {
  return gt(scalar_like(b, a), b);
}
/// a >= b for a number a, taken as scalar_like(b, a).
template <Number N>
Tensor operator>=(N a, const Tensor& b) {
  return ge(scalar_like(b, a), b);
}

/// a where `condition` (a bool tensor) holds, else b; all three broadcast together, a and b promote as in
/// arithmetic.
/// Gradient: d/da = g where condition, d/db = g where not, summed back to each shape; none for the condition.
/// Throws ag::Error if the condition is not bool, the shapes do not broadcast, or a and b mix float32 and float64.
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);
/// where(condition, a, b) for a number b, taken as scalar_like(a, b).
template <Number N>
Tensor where(const Tensor& condition, const Tensor& a, N b) {
  return where(condition, a, scalar_like(a, b));
}
/// where(condition, a, b) for a number a, taken as scalar_like(b, a).
template <Number N>
Tensor where(const Tensor& condition, N a, const Tensor& b) {
  return where(condition, scalar_like(b, a), b);
}

/// x with `value` where `mask` (bool, broadcast to x's shape) holds; any dtype.
/// Gradient: d/dx = g where the mask does not hold, else 0.
/// Throws ag::Error if the mask is not bool or does not broadcast to x's shape.
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value);

}  // namespace ag

#pragma GCC visibility pop
