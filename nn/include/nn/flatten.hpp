#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Reshaping layers, as torch::nn::Flatten and Unflatten: the bridge between convolutions and linear layers.

#include <autograd/detail/options_arg.hpp>
#include <nn/module.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ag::nn {

/// Chainable settings of a Flatten: FlattenOptions().start_dim(0). Each setting `x` has a getter x() and a setter
/// x(value) that returns a changed copy.
class FlattenOptions {
  /// The first dimension to merge (default 1, keeping the batch dimension); negative counts from the end.
  ///@{
  AG_ARG(std::int64_t, start_dim) = 1;
  ///@}
  /// The last dimension to merge (default -1, the last one); negative counts from the end.
  ///@{
  AG_ARG(std::int64_t, end_dim) = -1;
  ///@}
};

/// Merges dimensions start_dim..end_dim into one, as torch::nn::Flatten: [N, C, H, W] becomes [N, C H W]. Shares the
/// input's values. Gradient: d/dinput = g reshaped to the input's shape.
class Flatten : public UnaryModule {
 public:
  /// A layer with the given settings (by default, all dimensions after the first).
  explicit Flatten(FlattenOptions options = {}) : options_(options) {}

  /// The input with dimensions start_dim..end_dim merged; a 0-d input becomes 1-D, as in PyTorch.
  /// Throws ag::Error if a dimension is out of range for the input or start_dim comes after end_dim.
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Flatten"; }
  std::string extra_repr() const override;

  /// The settings the layer was made with.
  const FlattenOptions& options() const { return options_; }

 private:
  FlattenOptions options_;
};

/// Settings of an Unflatten: the dimension to split and the sizes it becomes.
class UnflattenOptions {
 public:
  /// Splits dimension `dim` (negative counts from the end) into `sizes`; one size may be -1, inferred.
  UnflattenOptions(std::int64_t dim, std::vector<std::int64_t> sizes) : dim_(dim), sizes_(std::move(sizes)) {}

  /// The dimension to split.
  ///@{
  AG_ARG(std::int64_t, dim);
  ///@}
  /// The sizes it is split into.
  ///@{
  AG_ARG(std::vector<std::int64_t>, sizes);
  ///@}
};

/// Splits one dimension into several, as torch::nn::Unflatten: Unflatten(1, {C, H, W}) turns [N, C H W] into
/// [N, C, H, W]. Shares the input's values. Gradient: d/dinput = g reshaped to the input's shape.
class Unflatten : public UnaryModule {
 public:
  /// A layer splitting dimension `dim` into `sizes`. Throws ag::Error if `sizes` is empty, or a size is below 1 other
  /// than one -1.
  Unflatten(std::int64_t dim, std::vector<std::int64_t> sizes) : Unflatten(UnflattenOptions(dim, std::move(sizes))) {}
  /// A layer with the given settings. Throws ag::Error as above.
  explicit Unflatten(UnflattenOptions options);

  /// The input with dimension dim() split into sizes(). Throws ag::Error if the dimension is out of range for the
  /// input or the sizes do not multiply to its length.
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Unflatten"; }
  std::string extra_repr() const override;

  /// The settings the layer was made with.
  const UnflattenOptions& options() const { return options_; }

 private:
  UnflattenOptions options_;
};

}  // namespace ag::nn

#pragma GCC visibility pop
