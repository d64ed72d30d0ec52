#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Batch and layer normalisation (src/ops/normalization.cpp), each one fused op with one forward and one backward
/// kernel; floating point only. In the gradients, g is the incoming gradient, x̂ = (x - mean) / sqrt(var + eps) the
/// normalised input, γ the weight, and Σ sums over the n values that share a mean.

#include <autograd/tensor.hpp>

#include <cstdint>
#include <vector>

namespace ag {

/// Normalises each channel c of an [N, C, ...] input (dimension 1; at least 2-D) to
/// (x - mean_c) / sqrt(var_c + eps) * weight_c + bias_c, as torch.nn.functional.batch_norm. With `training`, mean
/// and var are the batch's (the variance biased), and running_mean and running_var, when defined, are updated in
/// place to (1 - momentum) running + momentum batch, the variance as its unbiased estimate; without, they are
/// running_mean and running_var. weight and bias ([C]) may be undefined (1 and 0); the running statistics ([C])
/// get no gradient.
/// Gradient (training): d/dx = γ / (n sqrt(var + eps)) (n g - Σ g - x̂ Σ g x̂); (evaluation): d/dx = γ g /
/// sqrt(var + eps); and in both d/dweight = Σ g x̂, d/dbias = Σ g.
/// Throws ag::Error if input is not floating point or has fewer than 2 dimensions, a per-channel tensor is not [C]
/// or differs from input in dtype, only one of the running statistics is defined, they are undefined without
/// `training`, or (with `training`) a channel has a single value.
Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight = Tensor(), const Tensor& bias = Tensor(), bool training = false,
                  double momentum = 0.1, double eps = 1e-5);

/// Normalises each sample over the trailing `normalized_shape` dimensions of input to
/// (x - mean) / sqrt(var + eps) * weight + bias, the variance biased, as torch.nn.functional.layer_norm. weight and
/// bias (of normalized_shape) may be undefined (1 and 0).
/// Gradient: d/dx = (n γg - Σ γg - x̂ Σ γg x̂) / (n sqrt(var + eps)), d/dweight = Σ g x̂ and d/dbias = Σ g over the
/// leading dimensions.
/// Throws ag::Error if input is not floating point, normalized_shape is empty or input's shape does not end in it,
/// or weight or bias is not of normalized_shape or differs from input in dtype.
Tensor layer_norm(const Tensor& input, const std::vector<std::int64_t>& normalized_shape,
                  const Tensor& weight = Tensor(), const Tensor& bias = Tensor(), double eps = 1e-5);

}  // namespace ag

#pragma GCC visibility pop
