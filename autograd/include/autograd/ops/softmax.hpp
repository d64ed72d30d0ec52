#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Softmax and log-softmax along one dimension (src/ops/softmax.cpp); floating point only. In the gradients, g is
/// the incoming gradient, y the op's output and Σ sums along `dim`.

#include <autograd/tensor.hpp>

#include <cstdint>

namespace ag {

/// exp(x) / Σ exp(x) along `dim`, numerically stable (the maximum is subtracted first).
/// Gradient: d/dx = y (g - Σ g y).
/// Throws ag::Error if dim is out of range or x is not floating point.
Tensor softmax(const Tensor& x, std::int64_t dim);
/// x - log Σ exp(x) along `dim`, numerically stable (the maximum is subtracted first).
/// Gradient: d/dx = g - exp(y) Σ g.
/// Throws ag::Error if dim is out of range or x is not floating point.
Tensor log_softmax(const Tensor& x, std::int64_t dim);

}  // namespace ag

#pragma GCC visibility pop
