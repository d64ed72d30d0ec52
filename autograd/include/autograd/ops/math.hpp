#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Elementwise math (src/ops/math.cpp); floating point only, except abs (int64 too). In the gradients, g is the
/// incoming gradient.

#include <autograd/tensor.hpp>

namespace ag {

/// eˣ elementwise.
/// Gradient: d/dx = g exp(x).
/// Throws ag::Error if x is not floating point.
Tensor exp(const Tensor& x);
/// The natural logarithm.
/// Gradient: d/dx = g / x.
/// Throws ag::Error if x is not floating point.
Tensor log(const Tensor& x);
/// The square root.
/// Gradient: d/dx = g / (2 sqrt(x)).
/// Throws ag::Error if x is not floating point.
Tensor sqrt(const Tensor& x);
/// The absolute value |x|, for floating point and int64.
/// Gradient: d/dx = g sign(x) (0 at 0).
/// Throws ag::Error if x is bool.
Tensor abs(const Tensor& x);
/// log(1 + x), accurate for small x.
/// Gradient: d/dx = g / (1 + x).
/// Throws ag::Error if x is not floating point.
Tensor log1p(const Tensor& x);
/// exp(x) - 1, accurate for small x.
/// Gradient: d/dx = g exp(x).
/// Throws ag::Error if x is not floating point.
Tensor expm1(const Tensor& x);
/// The error function.
/// Gradient: d/dx = g 2/sqrt(π) exp(-x²).
/// Throws ag::Error if x is not floating point.
Tensor erf(const Tensor& x);

}  // namespace ag

#pragma GCC visibility pop
