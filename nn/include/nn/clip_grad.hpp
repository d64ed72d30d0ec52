#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <autograd/tensor.hpp>

#include <vector>

/// Training utilities on parameters, as torch::nn::utils.
namespace ag::nn::utils {

/// Scales the gradients of `parameters` in place so that their total norm is at most `max_norm`, as LibTorch's
/// torch::nn::utils::clip_grad_norm_, and returns that total norm, taken before scaling. The total norm of order
/// `norm_type` is that of all the gradients together, as if concatenated (norm_type infinity: the largest magnitude);
/// each gradient is multiplied by min(1, max_norm / (total_norm + 1e-6)). Parameters without a gradient are skipped;
/// with none, it returns 0. Throws ag::Error if `max_norm` is negative or `norm_type` is not positive, and, with
/// `error_if_nonfinite`, if the total norm is infinite or NaN (then no gradient changes); without it such a norm
/// scales the gradients to NaN or zero, as PyTorch.
double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);
/// clip_grad_norm_ of one parameter.
double clip_grad_norm_(const Tensor& parameter, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);

/// Clamps every element of the gradients of `parameters` into [-clip_value, clip_value] in place, as LibTorch's
/// torch::nn::utils::clip_grad_value_. Parameters without a gradient are skipped. Throws ag::Error if `clip_value`
/// is negative.
void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value);
/// clip_grad_value_ of one parameter.
void clip_grad_value_(const Tensor& parameter, double clip_value);

}  // namespace ag::nn::utils

#pragma GCC visibility pop
