#pragma once

// Stateless forms of the layers and losses, as torch::nn::functional (namespace F = ag::nn::functional).

#include <autograd/tensor.hpp>

namespace ag::nn {

// How a loss combines its per-element values: their mean, their sum, or none (the values themselves).
enum class Reduction { None, Mean, Sum };

namespace functional {

// input [..., in] times weightᵀ (weight is [out, in]) plus bias [out], which may be left undefined.
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor());

// Losses between an input and a target of the same shape, unless said otherwise.

// (input - target)²
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);

// -(y log x + (1 - y) log(1 - x)) for probabilities x, with each log clamped at -100 as in PyTorch.
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);

// binary_cross_entropy(sigmoid(x), y), computed stably as max(x, 0) - x y + log(1 + exp(-|x|)).
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        Reduction reduction = Reduction::Mean);

// -log_probs[i, target[i]] for log-probabilities [N, C] and a target [N] of int64 class indices 0..C-1.
Tensor nll_loss(const Tensor& log_probs, const Tensor& target, Reduction reduction = Reduction::Mean);

// nll_loss(log_softmax(logits, 1), target) for logits [N, C] and a target [N] of int64 class indices 0..C-1.
Tensor cross_entropy(const Tensor& logits, const Tensor& target, Reduction reduction = Reduction::Mean);

// relu(1 - y x) for targets y of ±1, the SVM hinge.
Tensor hinge_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::Mean);

}  // namespace functional
}  // namespace ag::nn
