#pragma once

#include <autograd/tensor.hpp>

namespace ag {

// A copy with its own values; the gradient passes straight through.
Tensor clone(const Tensor& x);
// The values in another dtype; the gradient is converted back.
Tensor to_dtype(const Tensor& x, DType dtype);

}  // namespace ag
