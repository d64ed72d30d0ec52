#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <autograd/tensor.hpp>

#include <cstdint>

namespace ag::nn {

/// Inputs and targets paired by their first dimension, as torch.utils.data.TensorDataset.
class TensorDataset {
 public:
  /// Sample i is (inputs[i], targets[i]); the tensors are kept, not copied. Throws ag::Error if either is undefined
  /// or 0-d, if their first dimensions differ, or if they hold no samples.
  TensorDataset(Tensor inputs, Tensor targets);

  /// The number of samples: the size of the first dimension.
  std::int64_t size() const { return inputs_.shape()[0]; }
  /// All inputs, [size(), ...].
  const Tensor& inputs() const { return inputs_; }
  /// All targets, [size(), ...].
  const Tensor& targets() const { return targets_; }

 private:
  Tensor inputs_;
  Tensor targets_;
};

}  // namespace ag::nn

#pragma GCC visibility pop
