#include <nn/optim/optimizer.hpp>

namespace ag::optim {

Optimizer::Optimizer(std::vector<Tensor> parameters) : parameters_(std::move(parameters)) {
  if (parameters_.empty()) fail("Optimizer: got an empty parameter list");
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const Tensor& parameter = parameters_[i];
    if (!parameter.defined()) fail("Optimizer: parameter {} is an undefined tensor", i);
    if (!parameter.is_leaf())
      fail("Optimizer: parameter {} (shape {}) is the result of '{}'; only leaf tensors can be optimised", i,
           parameter.shape(), parameter.op_name());
  }
}

void Optimizer::zero_grad() {
  for (Tensor& parameter : parameters_) parameter.zero_grad();
}

}  // namespace ag::optim
