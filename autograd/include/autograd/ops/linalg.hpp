#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Products on OpenBLAS (src/ops/linalg.cpp); floating point only, both operands of one dtype. In the gradients, g
/// is the incoming gradient.

#include <autograd/tensor.hpp>

namespace ag {

/// Inner product of two 1-D tensors of equal length (NumPy's np.dot on vectors).
/// Gradient: d/da = g b, d/db = g a.
/// Throws ag::Error if a and b are not 1-D of equal length, differ in dtype, or are not floating point.
Tensor dot(const Tensor& a, const Tensor& b);

/// Matrix product with NumPy's rules: 1-D·1-D is dot, a 1-D operand gains and then loses a dimension,
/// 2-D·2-D is a matrix product, and leading batch dimensions broadcast. Runs on OpenBLAS.
/// Gradient: d/da = g · bᵀ, d/db = aᵀ · g, summed over broadcast batch dimensions.
/// Throws ag::Error if an operand is 0-d, the dtypes differ or are not floating point, a's last dimension differs
/// from b's rows, or the batch dimensions do not broadcast.
Tensor matmul(const Tensor& a, const Tensor& b);

/// input [..., in] · weightᵀ + bias for a weight [out, in] and an optional bias [out], as
/// torch.nn.functional.linear: one BLAS call that reads the weight transposed in place, the bias added in the
/// same pass over the result.
/// Gradient: d/dinput = g · weight, d/dweight = gᵀ · input (leading dimensions flattened into rows),
/// d/dbias = g summed over rows.
/// Throws ag::Error if weight is not 2-D, input is 0-d or its last dimension is not weight's `in`, bias is not
/// [out], the dtypes differ, or they are not floating point.
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor());

}  // namespace ag

#pragma GCC visibility pop
