#pragma once

#include <autograd/tensor.hpp>

#include <cstdint>
#include <vector>

namespace ag::nn {

// The rows `indices` of a non-empty `tensor` along its first dimension, copied into a new tensor outside any
// graph (torch.index_select along dim 0, which the core does not offer yet). The indices must be in range.
Tensor select_rows(const Tensor& tensor, const std::vector<std::int64_t>& indices);

}  // namespace ag::nn
