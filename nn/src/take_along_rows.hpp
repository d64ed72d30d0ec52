#pragma once

#include <autograd/tensor.hpp>

#include <cstdint>
#include <vector>

namespace ag::nn {

// The element columns[i] of each row i of a matrix [N, C], as a tensor [N]: torch.gather along dim 1
// with one index per row. The core has no gather op yet; this is the part the losses need. The callers
// check the shapes and indices first, so that their errors name them.
Tensor take_along_rows(const Tensor& matrix, const std::vector<std::int64_t>& columns);

}  // namespace ag::nn
