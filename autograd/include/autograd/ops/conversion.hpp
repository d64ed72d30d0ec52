#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Copies and dtype conversions (src/ops/conversion.cpp).

#include <autograd/tensor.hpp>

namespace ag {

/// A copy with its own values, any dtype.
/// Gradient: d/dx = g, passed straight through.
Tensor clone(const Tensor& x);
/// The values in another dtype; x itself when it already has that dtype. Float to integer truncates toward zero
/// and float to bool tests for non-zero, as in PyTorch.
/// Gradient: d/dx = g converted back to x's dtype; a conversion to int64 or bool carries no gradient.
Tensor to_dtype(const Tensor& x, DType dtype);

}  // namespace ag

#pragma GCC visibility pop
