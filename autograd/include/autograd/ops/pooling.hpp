#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Pooling over 2 spatial dimensions, as torch.nn.functional.max_pool2d, avg_pool2d and adaptive_avg_pool2d
/// (src/ops/pooling.cpp). Floating point only. The input is [N, C, H, W] or [C, H, W], and the output keeps its
/// leading dimensions. Sizes are (height, width) or one number for both. In C++ the stride, when given, comes before
/// the padding: PyTorch's stride=None is the overload without a stride. With stride s, padding p, dilation d and
/// kernel k, an output dimension has length (in + 2p - d (k - 1) - 1) / s + 1, rounded down, or with ceil_mode rounded
/// up as long as the last window starts inside the input or its left padding (PyTorch's rule).
/// In the gradients, g is the incoming gradient. Each gradient is itself recorded as an op (a scatter of g for max
/// pooling, a pooling of the same kind for the averages), so they can be differentiated again.

#include <autograd/expanding_array.hpp>
#include <autograd/tensor.hpp>

#include <cstdint>

namespace ag {

/// The largest value of each kernel_size window, the windows `stride` apart, the input padded with -inf by `padding`
/// on each side and the window's taps `dilation` apart. A NaN in a window is its maximum, as in PyTorch; among equal
/// values the first in row-major order wins.
/// Gradient: d/dinput = g sent to the position of each window's maximum (added where windows share one).
/// Throws ag::Error (naming the shape) if the input is not 3-D or 4-D or not floating point, a kernel size, stride or
/// dilation is below 1, padding is negative or more than half the kernel size, or the output would be empty.
Tensor max_pool2d(const Tensor& input, ExpandingArray<2> kernel_size, ExpandingArray<2> stride,
                  ExpandingArray<2> padding = 0, ExpandingArray<2> dilation = 1, bool ceil_mode = false);

/// max_pool2d with the stride equal to the kernel size (PyTorch's stride=None): windows that do not overlap.
/// Throws ag::Error as max_pool2d.
inline Tensor max_pool2d(const Tensor& input, ExpandingArray<2> kernel_size) {
  return max_pool2d(input, kernel_size, kernel_size);
}

/// The mean of each kernel_size window, the windows `stride` apart, the input padded with zeros by `padding` on each
/// side. With count_include_pad the padding counts in each window's size, as in PyTorch (a window hanging past the
/// padding under ceil_mode does not count that part); without, only the input's own elements count.
/// Gradient: d/dinput = g of each window divided by its size, sent to each of the window's input elements.
/// Throws ag::Error as max_pool2d.
Tensor avg_pool2d(const Tensor& input, ExpandingArray<2> kernel_size, ExpandingArray<2> stride,
                  ExpandingArray<2> padding = 0, bool ceil_mode = false, bool count_include_pad = true);

/// avg_pool2d with the stride equal to the kernel size (PyTorch's stride=None): windows that do not overlap.
/// Throws ag::Error as max_pool2d.
inline Tensor avg_pool2d(const Tensor& input, ExpandingArray<2> kernel_size) {
  return avg_pool2d(input, kernel_size, kernel_size);
}

/// The mean over windows that tile the input into output_size (height, width) cells: cell i of n along a dimension of
/// length L covers [floor(i L / n), ceil((i + 1) L / n)), so windows may overlap and differ in size.
/// Gradient: d/dinput = g of each cell divided by its size, sent to each of the cell's input elements.
/// Throws ag::Error if the input is not 3-D or 4-D or not floating point, has an empty spatial dimension, or an output
/// size is below 1.
Tensor adaptive_avg_pool2d(const Tensor& input, ExpandingArray<2> output_size);

}  // namespace ag

#pragma GCC visibility pop
