#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Layer normalisation as a module (LayerNorm) and as a function (functional::layer_norm); the op is
/// ag::layer_norm.

#include <autograd/detail/options_arg.hpp>
#include <autograd/dtype.hpp>
#include <nn/module.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ag::nn {

/// Chainable settings of a LayerNorm layer: LayerNormOptions({64}).eps(1e-6).elementwise_affine(false).
class LayerNormOptions {
 public:
  /// Settings that normalise over the trailing dimensions `normalized_shape` ({64} for the last dimension of
  /// size 64); implicit, so that LayerNorm(std::vector<std::int64_t>{64}) reads as in LibTorch.
  LayerNormOptions(std::vector<std::int64_t> normalized_shape)  // NOLINT: implicit, as LibTorch
      : normalized_shape_(std::move(normalized_shape)) {}

  /// The trailing shape over which each sample is normalised.
  ///@{
  AG_ARG(std::vector<std::int64_t>, normalized_shape);
  ///@}
  /// Added to the variance before its square root (default 1e-5).
  ///@{
  AG_ARG(double, eps) = 1e-5;
  ///@}
  /// Whether the layer has a learnable weight (starting at 1) and bias (starting at 0) of normalized_shape
  /// (default true).
  ///@{
  AG_ARG(bool, elementwise_affine) = true;
  ///@}
  /// The dtype of the weight and bias (default: ag::default_dtype() when the options are made).
  ///@{
  AG_ARG(DType, dtype) = default_dtype();
  ///@}
};

/// Normalises each sample over its trailing normalized_shape dimensions by their mean and biased variance, then
/// scales and shifts elementwise, as torch::nn::LayerNorm. It behaves the same in training and evaluation mode.
class LayerNorm : public UnaryModule {
 public:
  /// A layer with the given settings: LayerNorm(LayerNormOptions({64})).
  /// Throws ag::Error if normalized_shape is empty or has a dimension that is not positive.
  explicit LayerNorm(LayerNormOptions options);

  /// (input - mean) / sqrt(var + eps) * weight + bias, as functional::layer_norm.
  /// Throws ag::Error if the input's shape does not end in normalized_shape.
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "LayerNorm"; }
  std::string extra_repr() const override;

  /// Sets the weight to 1 and the bias to 0.
  void reset_parameters();

  /// The settings the layer was made with.
  const LayerNormOptions& options() const { return options_; }

  /// The elementwise scale γ, of normalized_shape, starting at 1; registered as "weight", undefined without
  /// elementwise_affine.
  Tensor weight;
  /// The elementwise shift β, of normalized_shape, starting at 0; registered as "bias", undefined without
  /// elementwise_affine.
  Tensor bias;

 private:
  LayerNormOptions options_;
};

namespace functional {

/// Layer normalisation over the trailing `normalized_shape` dimensions of `input`, as
/// torch.nn.functional.layer_norm and ag::layer_norm; weight and bias (of normalized_shape) may be undefined.
/// Gradient: see ag::layer_norm. Throws ag::Error as ag::layer_norm.
Tensor layer_norm(const Tensor& input, const std::vector<std::int64_t>& normalized_shape,
                  const Tensor& weight = Tensor(), const Tensor& bias = Tensor(), double eps = 1e-5);

}  // namespace functional
}  // namespace ag::nn

#pragma GCC visibility pop
