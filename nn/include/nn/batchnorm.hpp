#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Batch normalisation as modules (BatchNorm1d, BatchNorm2d) and as a function (functional::batch_norm); the op is
/// ag::batch_norm.

#include <autograd/detail/options_arg.hpp>
#include <autograd/dtype.hpp>
#include <nn/module.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace ag::nn {

/// Chainable settings of a batch norm layer: BatchNormOptions(32).momentum(0.01).affine(false).
class BatchNormOptions {
 public:
  /// Settings for `num_features` channels (C of an [N, C, ...] input); implicit, so that BatchNorm2d(32) reads as in
  /// LibTorch.
  BatchNormOptions(std::int64_t num_features) : num_features_(num_features) {}  // NOLINT: implicit, as LibTorch

  /// The number of channels C.
  ///@{
  AG_ARG(std::int64_t, num_features);
  ///@}
  /// Added to the variance before its square root (default 1e-5).
  ///@{
  AG_ARG(double, eps) = 1e-5;
  ///@}
  /// The weight of each new batch in the running statistics (default 0.1): running = (1 - momentum) running +
  /// momentum batch. std::nullopt averages all batches so far equally (PyTorch's momentum=None).
  ///@{
  AG_ARG(std::optional<double>, momentum) = 0.1;
  ///@}
  /// Whether the layer has a learnable per-channel weight (starting at 1) and bias (starting at 0) (default true).
  ///@{
  AG_ARG(bool, affine) = true;
  ///@}
  /// Whether the layer keeps running statistics for evaluation mode (default true); without them it normalises
  /// with the batch's statistics in both modes.
  ///@{
  AG_ARG(bool, track_running_stats) = true;
  ///@}
  /// The dtype of the parameters and running statistics (default: ag::default_dtype() when the options are made).
  ///@{
  AG_ARG(DType, dtype) = default_dtype();
  ///@}
};

/// What BatchNorm1d and BatchNorm2d share, as LibTorch's BatchNormImplBase: normalises each channel of an
/// [N, C, ...] input by the batch's mean and biased variance in training mode, updating the running statistics
/// (the variance's unbiased estimate), and by the running statistics in evaluation mode. Its state_dict has
/// PyTorch's names: weight, bias, running_mean, running_var, num_batches_tracked; the last three are buffers, so no
/// optimiser trains them.
class BatchNormBase : public UnaryModule {
 public:
  /// (input - mean) / sqrt(var + eps) * weight + bias per channel, as functional::batch_norm, after checking the
  /// input's shape. In training mode (with track_running_stats) it also updates the running statistics and
  /// num_batches_tracked. Throws ag::Error if the input's rank is not one the layer takes, its channel count is not
  /// num_features, or (in training mode) a channel has a single value.
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;

  /// Sets the running mean to 0, the running variance to 1 and num_batches_tracked to 0.
  void reset_running_stats();
  /// reset_running_stats(), and the weight to 1 and the bias to 0.
  void reset_parameters();

  /// The settings the layer was made with.
  const BatchNormOptions& options() const { return options_; }

  /// The per-channel scale γ, [C], starting at 1; registered as "weight", undefined without affine.
  Tensor weight;
  /// The per-channel shift β, [C], starting at 0; registered as "bias", undefined without affine.
  Tensor bias;
  /// The buffer "running_mean", [C], starting at 0; undefined without track_running_stats.
  Tensor running_mean;
  /// The buffer "running_var", [C], starting at 1; undefined without track_running_stats.
  Tensor running_var;
  /// The buffer "num_batches_tracked", a 0-d int64 count of training batches; undefined without
  /// track_running_stats.
  Tensor num_batches_tracked;

 protected:
  /// Registers the parameters and buffers that `options` asks for. Throws ag::Error if num_features is not positive.
  explicit BatchNormBase(BatchNormOptions options);
  /// Throws ag::Error naming the layer unless `input` has a rank this layer takes.
  virtual void check_input_dim(const Tensor& input) const = 0;

 private:
  BatchNormOptions options_;
};

/// Batch normalisation of [N, C] or [N, C, L] inputs, as torch::nn::BatchNorm1d.
class BatchNorm1d : public BatchNormBase {
 public:
  /// A layer for options.num_features() channels: BatchNorm1d(64), BatchNorm1d(BatchNormOptions(64).affine(false)).
  /// Throws ag::Error if num_features is not positive.
  explicit BatchNorm1d(BatchNormOptions options) : BatchNormBase(options) {}
  std::string name() const override { return "BatchNorm1d"; }

 protected:
  /// Throws ag::Error unless `input` is 2-D or 3-D.
  void check_input_dim(const Tensor& input) const override;
};

/// Batch normalisation of [N, C, H, W] inputs, as torch::nn::BatchNorm2d.
class BatchNorm2d : public BatchNormBase {
 public:
  /// A layer for options.num_features() channels: BatchNorm2d(32), BatchNorm2d(BatchNormOptions(32).eps(1e-3)).
  /// Throws ag::Error if num_features is not positive.
  explicit BatchNorm2d(BatchNormOptions options) : BatchNormBase(options) {}
  std::string name() const override { return "BatchNorm2d"; }

 protected:
  /// Throws ag::Error unless `input` is 4-D.
  void check_input_dim(const Tensor& input) const override;
};

namespace functional {

/// Batch normalisation of an [N, C, ...] input per channel, as torch.nn.functional.batch_norm and ag::batch_norm:
/// with `training`, by the batch's statistics (updating running_mean and running_var in place when they are
/// defined); without, by running_mean and running_var. weight and bias ([C]) may be undefined.
/// Gradient: see ag::batch_norm. Throws ag::Error as ag::batch_norm.
Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight = Tensor(), const Tensor& bias = Tensor(), bool training = false,
                  double momentum = 0.1, double eps = 1e-5);

}  // namespace functional
}  // namespace ag::nn

#pragma GCC visibility pop
