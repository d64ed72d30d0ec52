#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Statistics over all elements or along `dims` (src/ops/statistics.cpp); floating point only. An empty `dims`
/// means all dimensions, as in PyTorch. Composites of sum, mean, pow, exp, log and amax, whose gradients need
/// nothing of their own; only std and norm add one, for the gradient at 0. In the gradients, g is the incoming
/// gradient and y the op's output.

#include <autograd/tensor.hpp>

#include <cstdint>
#include <vector>

namespace ag {

/// Σ(x - mean)² / max(0, n - correction), as torch.var (correction 1: the unbiased estimate); an empty group throws,
/// as in mean.
/// Gradient: d/dx = 2 g (x - mean) / (n - correction).
/// Throws ag::Error if x is not floating point, a dim is out of range or repeated, or the reduced dimensions are
/// empty.
Tensor var(const Tensor& x, const std::vector<std::int64_t>& dims = {}, double correction = 1.0, bool keepdim = false);
/// sqrt(var); the gradient where it is 0 (all values equal) is 0, as in PyTorch, not NaN.
/// Gradient: d/dx = g (x - mean) / ((n - correction) y), 0 where y is 0.
/// Throws ag::Error if x is not floating point, a dim is out of range or repeated, or the reduced dimensions are
/// empty.
Tensor std(const Tensor& x, const std::vector<std::int64_t>& dims = {}, double correction = 1.0, bool keepdim = false);
/// (Σ|x|ᵖ)^(1/p) for p > 0, and max|x| for p = inf, as torch.linalg.vector_norm. The gradient at x = 0 is 0.
/// Gradient: d/dx = g sign(x) (|x| / y)ᵖ⁻¹, 0 where x or y is 0; for p = inf, g sign(x) split among the elements
/// of largest |x|.
/// Throws ag::Error if x is not floating point, p is not positive, a dim is out of range or repeated, or (for
/// p = inf) the reduced dimensions are empty.
Tensor norm(const Tensor& x, double p = 2.0, const std::vector<std::int64_t>& dims = {}, bool keepdim = false);
/// log Σ exp(x), computed without overflow (the maximum is subtracted first); -inf over an empty group.
/// Gradient: d/dx = g softmax(x).
/// Throws ag::Error if x is not floating point, or a dim is out of range or repeated.
Tensor logsumexp(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim = false);

}  // namespace ag

#pragma GCC visibility pop
