#include <nn/loss.hpp>

namespace ag::nn {

namespace F = functional;

std::string Loss::extra_repr() const {
  switch (reduction_) {
    case Reduction::None:
      return "reduction=none";
    case Reduction::Sum:
      return "reduction=sum";
    case Reduction::Mean:
      break;
  }
  return "reduction=mean";
}

Tensor MSELoss::forward(const Tensor& input, const Tensor& target) { return F::mse_loss(input, target, reduction()); }

Tensor BCELoss::forward(const Tensor& input, const Tensor& target) {
  return F::binary_cross_entropy(input, target, reduction());
}

Tensor BCEWithLogitsLoss::forward(const Tensor& input, const Tensor& target) {
  return F::binary_cross_entropy_with_logits(input, target, reduction());
}

Tensor NLLLoss::forward(const Tensor& input, const Tensor& target) { return F::nll_loss(input, target, reduction()); }

Tensor CrossEntropyLoss::forward(const Tensor& input, const Tensor& target) {
  return F::cross_entropy(input, target, reduction());
}

Tensor HingeLoss::forward(const Tensor& input, const Tensor& target) {
  return F::hinge_loss(input, target, reduction());
}

}  // namespace ag::nn
