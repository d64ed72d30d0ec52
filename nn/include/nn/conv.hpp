#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Convolution layers, as torch::nn::Conv1d and Conv2d.

#include <autograd/detail/options_arg.hpp>
#include <autograd/dtype.hpp>
#include <autograd/expanding_array.hpp>
#include <nn/module.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace ag::nn {

/// Chainable settings of a convolution over D spatial dimensions, as LibTorch's ConvOptions:
/// Conv2dOptions(1, 32, 3).stride(2).padding(1). Sizes are one number for every dimension or one per dimension.
/// Each setting `x` has a getter x() and a setter x(value) that returns a changed copy.
template <std::size_t D>
class ConvOptions {
 public:
  /// A convolution from `in_channels` to `out_channels` with a kernel of `kernel_size`.
  ConvOptions(std::int64_t in_channels, std::int64_t out_channels, ExpandingArray<D> kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}

  /// The channels of the input.
  ///@{
  AG_ARG(std::int64_t, in_channels);
  ///@}
  /// The channels of the output: the number of filters.
  ///@{
  AG_ARG(std::int64_t, out_channels);
  ///@}
  /// The size of each filter along each spatial dimension.
  ///@{
  AG_ARG(ExpandingArray<D>, kernel_size);
  ///@}
  /// The step between filter positions (default 1).
  ///@{
  AG_ARG(ExpandingArray<D>, stride) = 1;
  ///@}
  /// The zeros added on both sides of each spatial dimension (default 0).
  ///@{
  AG_ARG(ExpandingArray<D>, padding) = 0;
  ///@}
  /// The spacing between a filter's taps (default 1).
  ///@{
  AG_ARG(ExpandingArray<D>, dilation) = 1;
  ///@}
  /// The number of blocks the channels are split into, each block of inputs feeding its own block of outputs
  /// (default 1); it must divide both channel counts.
  ///@{
  AG_ARG(std::int64_t, groups) = 1;
  ///@}
  /// Whether the layer adds a learned bias per output channel (default true).
  ///@{
  AG_ARG(bool, bias) = true;
  ///@}
  /// The dtype of the weight and bias. The default is the one set when the options are made (ag::set_default_dtype).
  ///@{
  AG_ARG(DType, dtype) = default_dtype();
  ///@}
};

/// Settings of a Conv1d.
using Conv1dOptions = ConvOptions<1>;
/// Settings of a Conv2d.
using Conv2dOptions = ConvOptions<2>;

/// What Conv1d and Conv2d share: the parameters, their initialisation and the settings.
template <std::size_t D>
class ConvNd : public UnaryModule {
 public:
  /// Registers weight [out_channels, in_channels / groups, kernel_size...] and, if options.bias(), bias
  /// [out_channels], drawn as reset_parameters() says. Throws ag::Error if a channel count is below 1, groups is
  /// below 1 or does not divide both channel counts, a kernel size, stride or dilation is below 1, or padding is
  /// negative.
  explicit ConvNd(ConvOptions<D> options);

  /// Draws the parameters as PyTorch's reset_parameters: the weight by kaiming_uniform_ with a = sqrt(5) (uniform in
  /// ±1/sqrt(fan_in)), the bias uniform in ±1/sqrt(fan_in), fan_in being in_channels / groups times the kernel's size.
  void reset_parameters();
  /// The settings as PyTorch prints them, padding, dilation, groups and bias only where not at their defaults:
  /// "1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1)".
  std::string extra_repr() const override;

  /// The settings the layer was made with.
  const ConvOptions<D>& options() const { return options_; }

  /// The filters, [out_channels, in_channels / groups, kernel_size...]; registered as "weight".
  Tensor weight;
  /// One value per output channel, [out_channels]; registered as "bias", undefined when options().bias() is false.
  Tensor bias;

 protected:
  /// The settings the layer was made with.
  ConvOptions<D> options_;
};

/// Convolution over one spatial dimension, as torch::nn::Conv1d: input [N, in_channels, L] or [in_channels, L].
class Conv1d : public ConvNd<1> {
 public:
  /// A layer from `in_channels` to `out_channels` with the default settings. Throws ag::Error as ConvNd.
  Conv1d(std::int64_t in_channels, std::int64_t out_channels, ExpandingArray<1> kernel_size)
      : Conv1d(Conv1dOptions(in_channels, out_channels, kernel_size)) {}
  /// A layer with the given settings. Throws ag::Error as ConvNd.
  explicit Conv1d(Conv1dOptions options) : ConvNd<1>(options) {}

  /// ag::conv1d(input, weight, bias, stride, padding, dilation, groups). Throws ag::Error as ag::conv1d.
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Conv1d"; }
};

/// Convolution over two spatial dimensions, as torch::nn::Conv2d: input [N, in_channels, H, W] or
/// [in_channels, H, W].
///
///     auto conv = std::make_shared<Conv2d>(Conv2dOptions(1, 32, 3).padding(1));
class Conv2d : public ConvNd<2> {
 public:
  /// A layer from `in_channels` to `out_channels` with the default settings. Throws ag::Error as ConvNd.
  Conv2d(std::int64_t in_channels, std::int64_t out_channels, ExpandingArray<2> kernel_size)
      : Conv2d(Conv2dOptions(in_channels, out_channels, kernel_size)) {}
  /// A layer with the given settings. Throws ag::Error as ConvNd.
  explicit Conv2d(Conv2dOptions options) : ConvNd<2>(options) {}

  /// ag::conv2d(input, weight, bias, stride, padding, dilation, groups). Throws ag::Error as ag::conv2d.
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Conv2d"; }
};

}  // namespace ag::nn

#pragma GCC visibility pop
