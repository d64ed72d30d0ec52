#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Losses as modules, as torch::nn::MSELoss and friends: loss(input, target). See ag::nn::functional for the
/// formulas, gradients, the shapes each one expects and its errors.

#include <nn/functional.hpp>
#include <nn/module.hpp>

#include <string>

namespace ag::nn {

/// The base of the loss modules: a Module that maps an input and a target to a loss, combined as its
/// Reduction says.
class Loss : public Module {
 public:
  /// A loss that combines its per-element values as `reduction` says (by default their mean).
  explicit Loss(Reduction reduction = Reduction::Mean) : reduction_(reduction) {}
  /// The loss of `input` against `target`, as the matching function of ag::nn::functional computes it.
  virtual Tensor forward(const Tensor& input, const Tensor& target) = 0;
  /// forward(input, target), so that a loss is called as a function: loss(output, target).
  Tensor operator()(const Tensor& input, const Tensor& target) { return forward(input, target); }
  /// How the per-element losses are combined.
  Reduction reduction() const { return reduction_; }
  std::string extra_repr() const override;

 private:
  Reduction reduction_;
};

/// The squared error (input - target)², as functional::mse_loss.
class MSELoss : public Loss {
 public:
  using Loss::Loss;
  /// functional::mse_loss(input, target, reduction()).
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "MSELoss"; }
};

/// Binary cross-entropy on probabilities, as functional::binary_cross_entropy; prefer BCEWithLogitsLoss on raw
/// scores.
class BCELoss : public Loss {
 public:
  using Loss::Loss;
  /// functional::binary_cross_entropy(input, target, reduction()).
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "BCELoss"; }
};

/// Binary cross-entropy on raw scores (logits), with the sigmoid built in and computed stably, as
/// functional::binary_cross_entropy_with_logits.
class BCEWithLogitsLoss : public Loss {
 public:
  using Loss::Loss;
  /// functional::binary_cross_entropy_with_logits(input, target, reduction()).
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "BCEWithLogitsLoss"; }
};

/// The negative log-likelihood, as functional::nll_loss: on log-probabilities [N, C] (after LogSoftmax(1)) with a
/// target [N] of int64 class indices.
class NLLLoss : public Loss {
 public:
  using Loss::Loss;
  /// functional::nll_loss(input, target, reduction()).
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "NLLLoss"; }
};

/// LogSoftmax(1) and NLLLoss in one, as functional::cross_entropy: on logits [N, C] with a target [N] of int64
/// class indices.
class CrossEntropyLoss : public Loss {
 public:
  using Loss::Loss;
  /// functional::cross_entropy(input, target, reduction()).
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "CrossEntropyLoss"; }
};

/// The SVM hinge relu(1 - y x) for targets of ±1 (not PyTorch's HingeEmbeddingLoss, which scores distances), as
/// functional::hinge_loss.
class HingeLoss : public Loss {
 public:
  using Loss::Loss;
  /// functional::hinge_loss(input, target, reduction()).
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "HingeLoss"; }
};

}  // namespace ag::nn

#pragma GCC visibility pop
