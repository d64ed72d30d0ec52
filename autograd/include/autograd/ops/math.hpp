#pragma once

// Elementwise math (src/ops/math.cpp); floating point only, except abs (int64 too).

#include <autograd/tensor.hpp>

namespace ag {

// d exp(x) = g exp(x)
Tensor exp(const Tensor& x);
// d log(x) = g / x
Tensor log(const Tensor& x);
// d sqrt(x) = g / (2 sqrt(x))
Tensor sqrt(const Tensor& x);
// d |x| = g sign(x) (0 at 0)
Tensor abs(const Tensor& x);
// d log(1 + x) = g / (1 + x), accurate for small x
Tensor log1p(const Tensor& x);
// d (exp(x) - 1) = g exp(x), accurate for small x
Tensor expm1(const Tensor& x);
// d erf(x) = g 2/sqrt(pi) exp(-x²)
Tensor erf(const Tensor& x);

}  // namespace ag
