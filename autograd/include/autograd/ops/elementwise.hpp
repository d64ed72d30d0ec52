#pragma once

// Elementwise ops. Binary ones broadcast as NumPy does; gradients are summed back to each input's shape.

#include <autograd/tensor.hpp>

namespace ag {

Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor neg(const Tensor& x);
Tensor pow(const Tensor& base, double exponent);
Tensor pow(const Tensor& base, const Tensor& exponent);

Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor clamp(const Tensor& x, double min, double max);

// Elementwise larger/smaller of two tensors; on ties the gradient is split evenly, as in PyTorch.
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);

// Comparisons give masks of 1 and 0 in the inputs' dtype; they carry no gradient.
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);

// Picks a where condition is non-zero, else b (all three broadcast together).
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);

// A 0-d tensor of `like`'s dtype, for mixing plain numbers into tensor expressions.
Tensor scalar_like(const Tensor& like, double value);

inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator-(const Tensor& x) { return neg(x); }
inline Tensor operator+(const Tensor& a, double b) { return add(a, scalar_like(a, b)); }
inline Tensor operator-(const Tensor& a, double b) { return sub(a, scalar_like(a, b)); }
inline Tensor operator*(const Tensor& a, double b) { return mul(a, scalar_like(a, b)); }
inline Tensor operator/(const Tensor& a, double b) { return div(a, scalar_like(a, b)); }
inline Tensor operator+(double a, const Tensor& b) { return add(scalar_like(b, a), b); }
inline Tensor operator-(double a, const Tensor& b) { return sub(scalar_like(b, a), b); }
inline Tensor operator*(double a, const Tensor& b) { return mul(scalar_like(b, a), b); }
inline Tensor operator/(double a, const Tensor& b) { return div(scalar_like(b, a), b); }

inline Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
inline Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
inline Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
inline Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
inline Tensor operator<(const Tensor& a, double b) { return lt(a, scalar_like(a, b)); }
inline Tensor operator<=(const Tensor& a, double b) { return le(a, scalar_like(a, b)); }
inline Tensor operator>(const Tensor& a, double b) { return gt(a, scalar_like(a, b)); }
inline Tensor operator>=(const Tensor& a, double b) { return ge(a, scalar_like(a, b)); }

inline Tensor& operator+=(Tensor& a, const Tensor& b) { return a = a + b; }
inline Tensor& operator-=(Tensor& a, const Tensor& b) { return a = a - b; }
inline Tensor& operator*=(Tensor& a, const Tensor& b) { return a = a * b; }
inline Tensor& operator/=(Tensor& a, const Tensor& b) { return a = a / b; }

}  // namespace ag
