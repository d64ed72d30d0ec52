#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Arithmetic (src/ops/arithmetic.cpp). Binary ops broadcast as NumPy does and promote mixed dtypes as PyTorch
/// (bool < int64 < floating point; float32 with float64 is refused); gradients are summed back to each input's
/// shape. Plain numbers mix in on either side: an integer takes the tensor's dtype, a floating-point number makes
/// an integer tensor's result floating point (the default dtype). In the gradients, g is the incoming gradient.

#include <autograd/dtype.hpp>
#include <autograd/tensor.hpp>

#include <concepts>
#include <type_traits>

namespace ag {

/// a + b, broadcast.
/// Gradient: d/da = g, d/db = g.
/// Throws ag::Error if the shapes do not broadcast, the dtypes mix float32 and float64, or both are bool.
Tensor add(const Tensor& a, const Tensor& b);
/// a - b, broadcast.
/// Gradient: d/da = g, d/db = -g.
/// Throws ag::Error if the shapes do not broadcast, the dtypes mix float32 and float64, or both are bool.
Tensor sub(const Tensor& a, const Tensor& b);
/// a * b, broadcast; a bool tensor times a floating-point one is read as a 0/1 mask.
/// Gradient: d/da = g b, d/db = g a.
/// Throws ag::Error if the shapes do not broadcast, the dtypes mix float32 and float64, or both are bool.
Tensor mul(const Tensor& a, const Tensor& b);
/// a / b, broadcast; true division: integers divide as the default floating dtype.
/// Gradient: d/da = g / b, d/db = -g a / b².
/// Throws ag::Error if the shapes do not broadcast or the dtypes mix float32 and float64.
Tensor div(const Tensor& a, const Tensor& b);
/// -x.
/// Gradient: d/dx = -g.
/// Throws ag::Error if x is bool.
Tensor neg(const Tensor& x);
/// xᵖ elementwise, for a fixed exponent p; floating point only.
/// Gradient: d/dx = g p xᵖ⁻¹ (0 where p == 0).
/// Throws ag::Error if the base is not floating point.
Tensor pow(const Tensor& base, double exponent);
/// xʸ elementwise, broadcast, with both base x and exponent y differentiable.
/// Gradient: d/dx = g y xʸ⁻¹ (0 where y == 0), d/dy = g xʸ log x, with the PyTorch convention 0 for log 0 where
/// y >= 0.
/// Throws ag::Error if the shapes do not broadcast, the dtypes mix float32 and float64, or the common dtype is not
/// floating point.
Tensor pow(const Tensor& base, const Tensor& exponent);

/// A C++ number that mixes into tensor expressions: 2, 0.5f, 1e-3 (not bool).
template <class N>
concept Number = std::is_arithmetic_v<N> && !std::is_same_v<N, bool>;

/// The 0-d tensor that stands for `value` next to `like`: like's dtype, except that a floating-point number next
/// to an integer or bool tensor is the default floating dtype, and an integer next to a bool tensor is int64.
Tensor scalar_like(const Tensor& like, double value, bool value_is_integer = false);
/// The 0-d tensor that stands for the number `value` next to `like`, integer or not as N is.
template <Number N>
Tensor scalar_like(const Tensor& like, N value) {
  return scalar_like(like, static_cast<double>(value), std::is_integral_v<N>);
}

/// a + b: add(a, b).
inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
/// a - b: sub(a, b).
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
/// a * b: mul(a, b).
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
/// a / b: div(a, b).
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
/// -x: neg(x).
inline Tensor operator-(const Tensor& x) { return neg(x); }
/// a + b for a number b, taken as scalar_like(a, b).
template <Number N>
Tensor operator+(const Tensor& a, N b) {
  return add(a, scalar_like(a, b));
}
/// a - b for a number b, taken as scalar_like(a, b).
template <Number N>
Tensor operator-(const Tensor& a, N b) {
  return sub(a, scalar_like(a, b));
}
/// a * b for a number b, taken as scalar_like(a, b).
template <Number N>
Tensor operator*(const Tensor& a, N b) {
  return mul(a, scalar_like(a, b));
}
/// a / b for a number b, taken as scalar_like(a, b).
template <Number N>
Tensor operator/(const Tensor& a, N b) {
  return div(a, scalar_like(a, b));
}
/// a + b for a number a, taken as scalar_like(b, a).
template <Number N>
Tensor operator+(N a, const Tensor& b) {
  return add(scalar_like(b, a), b);
}
/// a - b for a number a, taken as scalar_like(b, a).
template <Number N>
Tensor operator-(N a, const Tensor& b) {
  return sub(scalar_like(b, a), b);
}
/// a * b for a number a, taken as scalar_like(b, a).
template <Number N>
Tensor operator*(N a, const Tensor& b) {
  return mul(scalar_like(b, a), b);
}
/// a / b for a number a, taken as scalar_like(b, a).
template <Number N>
Tensor operator/(N a, const Tensor& b) {
  return div(scalar_like(b, a), b);
}

/// @name Compound assignment
/// Compound assignment updates `a` in place, as in PyTorch, when the graph is not involved (grad mode off, or
/// neither side requires grad); aliases of `a` see the new values. When the graph is involved, `a` is rebound to
/// the recorded result instead (an in-place op inside the graph is not supported yet), and aliases keep the old
/// values. In place, ag::Error is thrown if b does not broadcast to a's shape or the result would not keep a's dtype.
///@{

/// a += b, in place or as a = add(a, b).
Tensor& operator+=(Tensor& a, const Tensor& b);
/// a -= b, in place or as a = sub(a, b).
Tensor& operator-=(Tensor& a, const Tensor& b);
/// a *= b, in place or as a = mul(a, b).
Tensor& operator*=(Tensor& a, const Tensor& b);
/// a /= b, in place (a must be floating point) or as a = div(a, b).
Tensor& operator/=(Tensor& a, const Tensor& b);
/// a += b for a number b, taken as scalar_like(a, b).
template <Number N>
Tensor& operator+=(Tensor& a, N b) {
  return a += scalar_like(a, b);
}
/// a -= b for a number b, taken as scalar_like(a, b).
template <Number N>
Tensor& operator-=(Tensor& a, N b) {
  return a -= scalar_like(a, b);
}
/// a *= b for a number b, taken as scalar_like(a, b).
template <Number N>
Tensor& operator*=(Tensor& a, N b) {
  return a *= scalar_like(a, b);
}
/// a /= b for a number b, taken as scalar_like(a, b).
template <Number N>
Tensor& operator/=(Tensor& a, N b) {
  return a /= scalar_like(a, b);
}
///@}

}  // namespace ag

#pragma GCC visibility pop
