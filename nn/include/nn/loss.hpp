#pragma once

// Losses as modules, as torch::nn::MSELoss and friends: loss(input, target). See functional.hpp for the
// formulas and the shapes each one expects.

#include <nn/functional.hpp>
#include <nn/module.hpp>

#include <string>

namespace ag::nn {

class Loss : public Module {
 public:
  explicit Loss(Reduction reduction = Reduction::Mean) : reduction_(reduction) {}
  virtual Tensor forward(const Tensor& input, const Tensor& target) = 0;
  Tensor operator()(const Tensor& input, const Tensor& target) { return forward(input, target); }
  Reduction reduction() const { return reduction_; }
  std::string extra_repr() const override;

 private:
  Reduction reduction_;
};

class MSELoss : public Loss {
 public:
  using Loss::Loss;
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "MSELoss"; }
};

// On probabilities; prefer BCEWithLogitsLoss on raw scores.
class BCELoss : public Loss {
 public:
  using Loss::Loss;
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "BCELoss"; }
};

class BCEWithLogitsLoss : public Loss {
 public:
  using Loss::Loss;
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "BCEWithLogitsLoss"; }
};

// On log-probabilities [N, C] (after LogSoftmax(1)) with a target [N] of int64 class indices.
class NLLLoss : public Loss {
 public:
  using Loss::Loss;
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "NLLLoss"; }
};

// On logits [N, C] with a target [N] of int64 class indices.
class CrossEntropyLoss : public Loss {
 public:
  using Loss::Loss;
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "CrossEntropyLoss"; }
};

// The SVM hinge relu(1 - y x) for targets of ±1 (not PyTorch's HingeEmbeddingLoss, which scores distances).
class HingeLoss : public Loss {
 public:
  using Loss::Loss;
  Tensor forward(const Tensor& input, const Tensor& target) override;
  std::string name() const override { return "HingeLoss"; }
};

}  // namespace ag::nn
