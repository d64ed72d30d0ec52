#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Convolutions over 1 and 2 spatial dimensions, as torch.nn.functional.conv1d and conv2d
/// (src/ops/convolution.cpp): cross-correlation with zero padding, on oneDNN's convolution primitives for float32 and
/// as im2col and one matrix product per sample and group for float64. Floating point only; input, weight and bias
/// share a dtype. A batch dimension is optional: an
/// input without it ([C, L] or [C, H, W]) gives an output without it. The output length along each spatial
/// dimension is (in + 2 padding - dilation (kernel - 1) - 1) / stride + 1, rounded down.
/// In the gradients, g is the incoming gradient: d/dinput is the transposed convolution of g with the weight,
/// d/dweight the convolution of the input with g, d/dbias the sum of g over the batch and spatial positions.
/// Each gradient is itself recorded as a convolution op, so they can be differentiated again.

#include <autograd/expanding_array.hpp>
#include <autograd/tensor.hpp>

#include <cstdint>

namespace ag {

/// input [N, C_in, L] (or [C_in, L]) convolved with weight [C_out, C_in / groups, K], plus bias [C_out] if defined,
/// giving [N, C_out, L_out]. Input channels are split into `groups` blocks, each convolved with its C_out / groups
/// filters.
/// Throws ag::Error (naming the shapes) if the input is not 2-D or 3-D, the weight not 3-D, the input's channels are
/// not weight's C_in / groups times groups, groups does not divide C_out, the bias is not [C_out], the dtypes differ
/// or are not floating point, stride or dilation is below 1, padding is negative, or the dilated kernel is larger
/// than the padded input.
Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(), ExpandingArray<1> stride = 1,
              ExpandingArray<1> padding = 0, ExpandingArray<1> dilation = 1, std::int64_t groups = 1);

/// input [N, C_in, H, W] (or [C_in, H, W]) convolved with weight [C_out, C_in / groups, kH, kW], plus bias [C_out] if
/// defined, giving [N, C_out, H_out, W_out]. Stride, padding and dilation are (height, width) or one number for both.
/// Throws ag::Error as conv1d, for 3-D or 4-D inputs and a 4-D weight.
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(), ExpandingArray<2> stride = 1,
              ExpandingArray<2> padding = 0, ExpandingArray<2> dilation = 1, std::int64_t groups = 1);

}  // namespace ag

#pragma GCC visibility pop
