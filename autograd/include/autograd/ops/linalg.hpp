#pragma once

#include <autograd/tensor.hpp>

namespace ag {

// Inner product of two 1-D tensors of equal length (NumPy's np.dot on vectors).
Tensor dot(const Tensor& a, const Tensor& b);

// Matrix product with NumPy's rules: 1-D·1-D is dot, a 1-D operand gains and then loses a dimension,
// 2-D·2-D is a matrix product, and leading batch dimensions broadcast. Runs on OpenBLAS.
Tensor matmul(const Tensor& a, const Tensor& b);

// input [..., in] · weightᵀ + bias for a weight [out, in] and an optional bias [out], as
// torch.nn.functional.linear: one BLAS call that reads the weight transposed in place, the bias added in the
// same pass over the result.
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor());

}  // namespace ag
