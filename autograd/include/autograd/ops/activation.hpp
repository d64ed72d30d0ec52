#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Activation functions (src/ops/activation.cpp); floating point only. In the gradients, g is the incoming gradient
/// and y the op's output.

#include <autograd/tensor.hpp>

#include <string_view>

namespace ag {

/// 1 / (1 + exp(-x)), computed so that neither branch overflows.
/// Gradient: d/dx = g y (1 - y).
/// Throws ag::Error if x is not floating point.
Tensor sigmoid(const Tensor& x);
/// The hyperbolic tangent.
/// Gradient: d/dx = g (1 - y²).
/// Throws ag::Error if x is not floating point.
Tensor tanh(const Tensor& x);
/// max(x, 0); a NaN stays NaN, as in PyTorch.
/// Gradient: d/dx = g where y > 0, else 0 (none at 0 or at a NaN).
/// Throws ag::Error if x is not floating point.
Tensor relu(const Tensor& x);
/// log(1 + exp(beta x)) / beta, linear (x itself) where beta x > threshold, as torch.nn.functional.softplus.
/// Gradient: d/dx = g sigmoid(beta x), or g where beta x > threshold.
/// Throws ag::Error if beta is not positive or x is not floating point.
Tensor softplus(const Tensor& x, double beta = 1.0, double threshold = 20.0);
/// x Φ(x) with Φ the normal CDF ("none"), or its tanh approximation ("tanh"), as torch.nn.functional.gelu.
/// Gradient: d/dx = g (Φ(x) + x φ(x)) with φ the normal density; for "tanh", the chain rule through
/// 0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³))), which is built from recorded ops.
/// Throws ag::Error if approximate is neither "none" nor "tanh", or (for "none") if x is not floating point.
Tensor gelu(const Tensor& x, std::string_view approximate = "none");
/// x sigmoid(x), also called swish.
/// Gradient: d/dx = g s (1 + x (1 - s)) with s = sigmoid(x).
/// Throws ag::Error if x is not floating point.
Tensor silu(const Tensor& x);

}  // namespace ag

#pragma GCC visibility pop
