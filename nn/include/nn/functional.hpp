#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

// Stateless forms of the layers and losses, as torch::nn::functional (namespace F = ag::nn::functional).

#include <autograd/tensor.hpp>

namespace ag::nn {

/// How a loss combines its per-element values: their mean, their sum, or none (the values themselves).
enum class Reduction {
  None,  ///< the per-element losses, in the shape of the input (of the target for nll_loss and cross_entropy)
  Mean,  ///< their mean, a 0-d tensor (so each gradient is divided by their count)
  Sum    ///< their sum, a 0-d tensor
};

/// Stateless forms of the layers and losses, as torch::nn::functional (namespace F = ag::nn::functional).
/// Losses take an input and a target of the same shape, unless said otherwise, and throw ag::Error naming both
/// shapes if they differ. Their gradients are given per element, for the element's upstream gradient `grad`.
namespace functional {

/// input [..., in] times weightᵀ (weight is [out, in]) plus bias [out], which may be left undefined.
/// Gradient: d/dinput = grad W, d/dweight = gradᵀ input and d/dbias = grad, summed over the leading dimensions.
/// Throws ag::Error if the shapes do not fit.
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor());

/// (input - target)². Gradient: d/dinput = grad * 2 (x - y), d/dtarget = -grad * 2 (x - y).
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);

/// -(y log x + (1 - y) log(1 - x)) for probabilities x, with each log clamped at -100 as in PyTorch.
/// Gradient: d/dx = grad * (x - y) / max(x (1 - x), 1e-12), d/dy = grad * (log(1 - x) - log x), finite at x = 0
/// or 1. Throws ag::Error if an input value lies outside [0, 1] (NaN passes, giving a NaN loss).
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);

/// binary_cross_entropy(sigmoid(x), y), computed stably as max(x, 0) - x y + log(1 + exp(-|x|)).
/// Gradient: d/dx = grad * (sigmoid(x) - y), d/dy = -grad * x.
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        Reduction reduction = Reduction::Mean);

/// -log_probs[i, target[i]] for log-probabilities [N, C] and a target [N] of int64 class indices 0..C-1.
/// Gradient: d/dlog_probs[i, target[i]] = -grad_i, zero elsewhere. Throws ag::Error if the target is not int64,
/// the shapes are not [N, C] and [N], or a target is not a class index.
Tensor nll_loss(const Tensor& log_probs, const Tensor& target, Reduction reduction = Reduction::Mean);

/// nll_loss(log_softmax(logits, 1), target) for logits [N, C] and a target [N] of int64 class indices 0..C-1.
/// Gradient: d/dlogits[i] = grad_i * (softmax(logits[i]) - onehot(target[i])). Throws ag::Error as nll_loss.
Tensor cross_entropy(const Tensor& logits, const Tensor& target, Reduction reduction = Reduction::Mean);

/// relu(1 - y x) for targets y of ±1, the SVM hinge. Gradient: d/dx = -grad * y where y x < 1, else 0.
/// Throws ag::Error if a target is neither 1 nor -1.
Tensor hinge_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);

}  // namespace functional
}  // namespace ag::nn

#pragma GCC visibility pop
