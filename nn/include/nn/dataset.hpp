#pragma once

#include <autograd/tensor.hpp>

#include <cstdint>

namespace ag::nn {

// Inputs and targets paired by their first dimension, as torch.utils.data.TensorDataset.
class TensorDataset {
 public:
  TensorDataset(Tensor inputs, Tensor targets);

  std::int64_t size() const { return inputs_.shape()[0]; }
  const Tensor& inputs() const { return inputs_; }
  const Tensor& targets() const { return targets_; }

 private:
  Tensor inputs_;
  Tensor targets_;
};

}  // namespace ag::nn
