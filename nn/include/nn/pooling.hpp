#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Pooling layers, as torch::nn::MaxPool2d, AvgPool2d and AdaptiveAvgPool2d. They have no parameters.

#include <autograd/detail/options_arg.hpp>
#include <autograd/expanding_array.hpp>
#include <nn/module.hpp>

#include <string>

namespace ag::nn {

/// Chainable settings of a MaxPool2d: MaxPool2dOptions(2).stride(1). Each setting `x` has a getter x() and a
/// setter x(value) that returns a changed copy.
class MaxPool2dOptions {
 public:
  /// Windows of `kernel_size`, the stride defaulting to the kernel size (windows that do not overlap).
  MaxPool2dOptions(ExpandingArray<2> kernel_size)  // implicit, as LibTorch's
      : kernel_size_(kernel_size), stride_(kernel_size) {}

  /// The size of each window.
  ///@{
  AG_ARG(ExpandingArray<2>, kernel_size);
  ///@}
  /// The step between windows (default: kernel_size).
  ///@{
  AG_ARG(ExpandingArray<2>, stride);
  ///@}
  /// The -inf added on both sides of each spatial dimension (default 0), at most half the kernel size.
  ///@{
  AG_ARG(ExpandingArray<2>, padding) = 0;
  ///@}
  /// The spacing between a window's taps (default 1).
  ///@{
  AG_ARG(ExpandingArray<2>, dilation) = 1;
  ///@}
  /// Whether output sizes round up rather than down (default false).
  ///@{
  AG_ARG(bool, ceil_mode) = false;
  ///@}
};

/// The largest value of each window, as torch::nn::MaxPool2d: input [N, C, H, W] or [C, H, W].
///
///     auto pool = std::make_shared<MaxPool2d>(2);
class MaxPool2d : public UnaryModule {
 public:
  /// A layer with the given settings. Throws ag::Error if a kernel size, stride or
  /// dilation is below 1, or padding is negative or more than half the kernel size.
  explicit MaxPool2d(MaxPool2dOptions options);
  /// A layer with windows of `kernel_size` and the other settings at their defaults. Throws ag::Error as above.
  explicit MaxPool2d(ExpandingArray<2> kernel_size) : MaxPool2d(MaxPool2dOptions(kernel_size)) {}

  /// ag::max_pool2d with the settings. Throws ag::Error as ag::max_pool2d.
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "MaxPool2d"; }
  std::string extra_repr() const override;

  /// The settings the layer was made with.
  const MaxPool2dOptions& options() const { return options_; }

 private:
  MaxPool2dOptions options_;
};

/// Chainable settings of an AvgPool2d: AvgPool2dOptions(2).count_include_pad(false). Each setting `x` has a getter
/// x() and a setter x(value) that returns a changed copy.
class AvgPool2dOptions {
 public:
  /// Windows of `kernel_size`, the stride defaulting to the kernel size (windows that do not overlap).
  AvgPool2dOptions(ExpandingArray<2> kernel_size)  // implicit, as LibTorch's
      : kernel_size_(kernel_size), stride_(kernel_size) {}

  /// The size of each window.
  ///@{
  AG_ARG(ExpandingArray<2>, kernel_size);
  ///@}
  /// The step between windows (default: kernel_size).
  ///@{
  AG_ARG(ExpandingArray<2>, stride);
  ///@}
  /// The zeros added on both sides of each spatial dimension (default 0), at most half the kernel size.
  ///@{
  AG_ARG(ExpandingArray<2>, padding) = 0;
  ///@}
  /// Whether output sizes round up rather than down (default false).
  ///@{
  AG_ARG(bool, ceil_mode) = false;
  ///@}
  /// Whether the padding counts in each window's size when averaging (default true).
  ///@{
  AG_ARG(bool, count_include_pad) = true;
  ///@}
};

/// The mean of each window, as torch::nn::AvgPool2d: input [N, C, H, W] or [C, H, W].
class AvgPool2d : public UnaryModule {
 public:
  /// A layer with the given settings. Throws ag::Error if a kernel size or stride is below 1, or padding is negative
  /// or more than half the kernel size.
  explicit AvgPool2d(AvgPool2dOptions options);
  /// A layer with windows of `kernel_size` and the other settings at their defaults. Throws ag::Error as above.
  explicit AvgPool2d(ExpandingArray<2> kernel_size) : AvgPool2d(AvgPool2dOptions(kernel_size)) {}

  /// ag::avg_pool2d with the settings. Throws ag::Error as ag::avg_pool2d.
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "AvgPool2d"; }
  std::string extra_repr() const override;

  /// The settings the layer was made with.
  const AvgPool2dOptions& options() const { return options_; }

 private:
  AvgPool2dOptions options_;
};

/// Settings of an AdaptiveAvgPool2d: the output size.
class AdaptiveAvgPool2dOptions {
 public:
  /// Outputs of `output_size` (height, width), whatever the input's size.
  AdaptiveAvgPool2dOptions(ExpandingArray<2> output_size)  // implicit, as LibTorch's
      : output_size_(output_size) {}

  /// The (height, width) of the output.
  ///@{
  AG_ARG(ExpandingArray<2>, output_size);
  ///@}
};

/// The mean over cells that tile the input into a fixed output size, as torch::nn::AdaptiveAvgPool2d (1 gives global
/// average pooling).
class AdaptiveAvgPool2d : public UnaryModule {
 public:
  /// A layer with the given output size. Throws ag::Error if an output size is below 1.
  explicit AdaptiveAvgPool2d(AdaptiveAvgPool2dOptions options);
  /// A layer whose output is `output_size`. Throws ag::Error as above.
  explicit AdaptiveAvgPool2d(ExpandingArray<2> output_size)
      : AdaptiveAvgPool2d(AdaptiveAvgPool2dOptions(output_size)) {}

  /// ag::adaptive_avg_pool2d(input, output_size). Throws ag::Error as ag::adaptive_avg_pool2d.
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "AdaptiveAvgPool2d"; }
  std::string extra_repr() const override;

  /// The settings the layer was made with.
  const AdaptiveAvgPool2dOptions& options() const { return options_; }

 private:
  AdaptiveAvgPool2dOptions options_;
};

}  // namespace ag::nn

#pragma GCC visibility pop
