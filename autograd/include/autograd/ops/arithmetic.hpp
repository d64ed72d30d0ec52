#pragma once

// Arithmetic (src/ops/arithmetic.cpp). Binary ops broadcast as NumPy does and promote mixed dtypes as PyTorch
// (bool < int64 < floating point; float32 with float64 is refused); gradients are summed back to each input's
// shape. Plain numbers mix in on either side: an integer takes the tensor's dtype, a floating-point number makes
// an integer tensor's result floating point (the default dtype).

#include <autograd/dtype.hpp>
#include <autograd/tensor.hpp>

#include <concepts>
#include <type_traits>

namespace ag {

// d(a + b) = (g, g)
Tensor add(const Tensor& a, const Tensor& b);
// d(a - b) = (g, -g)
Tensor sub(const Tensor& a, const Tensor& b);
// d(a * b) = (g b, g a)
Tensor mul(const Tensor& a, const Tensor& b);
// d(a / b) = (g / b, -g a / b²); true division: integers divide as the default floating dtype.
Tensor div(const Tensor& a, const Tensor& b);
// d(-x) = -g
Tensor neg(const Tensor& x);
// d(xᵖ) = g p xᵖ⁻¹ (0 where p == 0); floating point only.
Tensor pow(const Tensor& base, double exponent);
// d(xʸ) = (g y xʸ⁻¹, g xʸ log x), with the PyTorch convention 0 for log 0 where y >= 0.
Tensor pow(const Tensor& base, const Tensor& exponent);

// A C++ number that mixes into tensor expressions: 2, 0.5f, 1e-3 (not bool).
template <class N>
concept Number = std::is_arithmetic_v<N> && !std::is_same_v<N, bool>;

// The 0-d tensor that stands for `value` next to `like`: like's dtype, except that a floating-point number next
// to an integer or bool tensor is the default floating dtype, and an integer next to a bool tensor is int64.
Tensor scalar_like(const Tensor& like, double value, bool value_is_integer = false);
template <Number N>
Tensor scalar_like(const Tensor& like, N value) {
  return scalar_like(like, static_cast<double>(value), std::is_integral_v<N>);
}

inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator-(const Tensor& x) { return neg(x); }
template <Number N>
Tensor operator+(const Tensor& a, N b) {
  return add(a, scalar_like(a, b));
}
template <Number N>
Tensor operator-(const Tensor& a, N b) {
  return sub(a, scalar_like(a, b));
}
template <Number N>
Tensor operator*(const Tensor& a, N b) {
  return mul(a, scalar_like(a, b));
}
template <Number N>
Tensor operator/(const Tensor& a, N b) {
  return div(a, scalar_like(a, b));
}
template <Number N>
Tensor operator+(N a, const Tensor& b) {
  return add(scalar_like(b, a), b);
}
template <Number N>
Tensor operator-(N a, const Tensor& b) {
  return sub(scalar_like(b, a), b);
}
template <Number N>
Tensor operator*(N a, const Tensor& b) {
  return mul(scalar_like(b, a), b);
}
template <Number N>
Tensor operator/(N a, const Tensor& b) {
  return div(scalar_like(b, a), b);
}

// Compound assignment updates `a` in place, as in PyTorch, when the graph is not involved (grad mode off, or
// neither side requires grad); aliases of `a` see the new values. When the graph is involved, `a` is rebound to
// the recorded result instead (an in-place op inside the graph is not supported yet), and aliases keep the old
// values.
Tensor& operator+=(Tensor& a, const Tensor& b);
Tensor& operator-=(Tensor& a, const Tensor& b);
Tensor& operator*=(Tensor& a, const Tensor& b);
Tensor& operator/=(Tensor& a, const Tensor& b);
template <Number N>
Tensor& operator+=(Tensor& a, N b) {
  return a += scalar_like(a, b);
}
template <Number N>
Tensor& operator-=(Tensor& a, N b) {
  return a -= scalar_like(a, b);
}
template <Number N>
Tensor& operator*=(Tensor& a, N b) {
  return a *= scalar_like(a, b);
}
template <Number N>
Tensor& operator/=(Tensor& a, N b) {
  return a /= scalar_like(a, b);
}

}  // namespace ag
