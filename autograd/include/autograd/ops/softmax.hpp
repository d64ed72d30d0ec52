#pragma once

#include <autograd/tensor.hpp>

#include <cstdint>

namespace ag {

// Numerically stable along `dim` (the maximum is subtracted first).
Tensor softmax(const Tensor& x, std::int64_t dim);
Tensor log_softmax(const Tensor& x, std::int64_t dim);

}  // namespace ag
