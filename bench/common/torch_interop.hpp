#pragma once

// Copies the framework's tensors into LibTorch's, so that a peer starts from exactly the same values.

#include <autograd/tensor.hpp>

#include <torch/torch.h>

#include <vector>

namespace bench {

inline torch::Tensor to_torch(const ag::Tensor& tensor) {
  const std::vector<std::int64_t> sizes(tensor.shape().begin(), tensor.shape().end());
  return torch::tensor(tensor.to_vector(), torch::kFloat64).view(sizes);
}

}  // namespace bench
