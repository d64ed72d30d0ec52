#pragma once

// Activation functions (src/ops/activation.cpp); floating point only.

#include <autograd/tensor.hpp>

#include <string_view>

namespace ag {

// d sigmoid(x) = g y (1 - y)
Tensor sigmoid(const Tensor& x);
// d tanh(x) = g (1 - y²)
Tensor tanh(const Tensor& x);
// d relu(x) = g where x > 0, else 0
Tensor relu(const Tensor& x);
// log(1 + exp(beta x)) / beta, linear (x itself) where beta x > threshold, as torch.nn.functional.softplus;
// d = g sigmoid(beta x)
Tensor softplus(const Tensor& x, double beta = 1.0, double threshold = 20.0);
// x Φ(x) with Φ the normal CDF ("none"), or its tanh approximation ("tanh"), as torch.nn.functional.gelu
Tensor gelu(const Tensor& x, std::string_view approximate = "none");
// x sigmoid(x); d = g s (1 + x (1 - s)) with s = sigmoid(x)
Tensor silu(const Tensor& x);

}  // namespace ag
