#pragma once

// Comparisons and selection by a mask (src/ops/comparison.cpp). Comparisons take any dtypes (promoted as in
// arithmetic.hpp), return bool tensors and carry no gradient.

#include <autograd/ops/arithmetic.hpp>
#include <autograd/tensor.hpp>

namespace ag {

Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);

inline Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
inline Tensor operator!=(const Tensor& a, const Tensor& b) { return ne(a, b); }
inline Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
inline Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
inline Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
inline Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
template <Number N>
Tensor operator==(const Tensor& a, N b) {
  return eq(a, scalar_like(a, b));
}
template <Number N>
Tensor operator!=(const Tensor& a, N b) {
  return ne(a, scalar_like(a, b));
}
template <Number N>
Tensor operator<(const Tensor& a, N b) {
  return lt(a, scalar_like(a, b));
}
template <Number N>
Tensor operator<=(const Tensor& a, N b) {
  return le(a, scalar_like(a, b));
}
template <Number N>
Tensor operator>(const Tensor& a, N b) {
  return gt(a, scalar_like(a, b));
}
template <Number N>
Tensor operator>=(const Tensor& a, N b) {
  return ge(a, scalar_like(a, b));
}
template <Number N>
Tensor operator==(N a, const Tensor& b) {
  return eq(scalar_like(b, a), b);
}
template <Number N>
Tensor operator!=(N a, const Tensor& b) {
  return ne(scalar_like(b, a), b);
}
template <Number N>
Tensor operator<(N a, const Tensor& b) {
  return lt(scalar_like(b, a), b);
}
template <Number N>
Tensor operator<=(N a, const Tensor& b) {
  return le(scalar_like(b, a), b);
}
template <Number N>
Tensor operator>(N a, const Tensor& b) {
  return gt(scalar_like(b, a), b);
}
template <Number N>
Tensor operator>=(N a, const Tensor& b) {
  return ge(scalar_like(b, a), b);
}

// a where `condition` (a bool tensor) holds, else b; all three broadcast together, a and b promote as in
// arithmetic. d = (g where condition, g where not), summed back to each shape.
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);
template <Number N>
Tensor where(const Tensor& condition, const Tensor& a, N b) {
  return where(condition, a, scalar_like(a, b));
}
template <Number N>
Tensor where(const Tensor& condition, N a, const Tensor& b) {
  return where(condition, scalar_like(b, a), b);
}

// x with `value` where `mask` (bool, broadcast to x's shape) holds; d = g where the mask does not hold, else 0.
Tensor masked_fill(const Tensor& x, const Tensor& mask, double value);

}  // namespace ag
