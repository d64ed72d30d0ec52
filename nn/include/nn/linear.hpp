#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <autograd/detail/options_arg.hpp>
#include <autograd/dtype.hpp>
#include <nn/init.hpp>
#include <nn/module.hpp>

#include <cstdint>
#include <string>

namespace ag::nn {

/// Chainable settings of a Linear layer: LinearOptions().bias(false).init(Init::XavierUniform).
/// Each setting `x` has a getter x() and a setter x(value) that returns a changed copy.
class LinearOptions {
  /// Whether the layer has a bias (default true).
  ///@{
  AG_ARG(bool, bias) = true;
  ///@}
  /// How the weight is drawn (default Init::KaimingUniform). KaimingUniform draws the bias as PyTorch does,
  /// uniform in ±1/sqrt(in_features); every other scheme starts the bias at zero.
  ///@{
  AG_ARG(Init, init) = Init::KaimingUniform;
  ///@}
  /// The dtype of the weight and bias. The default is the one set when the options are made
  /// (ag::set_default_dtype).
  ///@{
  AG_ARG(DType, dtype) = default_dtype();
  ///@}
};

/// y = x Wᵀ + b, as torch::nn::Linear: the weight is [out_features, in_features], and the input may be
/// [in_features], [batch, in_features] or [..., in_features].
class Linear : public UnaryModule {
 public:
  /// A layer from `in_features` to `out_features`, its parameters drawn as options.init() says.
  /// Throws ag::Error if either size is negative.
  Linear(std::int64_t in_features, std::int64_t out_features, LinearOptions options = {});

  /// input Wᵀ + b, as functional::linear. Throws ag::Error if the input's last dimension is not in_features().
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Linear"; }
  std::string extra_repr() const override;

  /// Draws new values for the weight and bias, as options().init() says.
  void reset_parameters();

  /// The size of each input sample.
  std::int64_t in_features() const { return in_features_; }
  /// The size of each output sample.
  std::int64_t out_features() const { return out_features_; }
  /// The settings the layer was made with.
  const LinearOptions& options() const { return options_; }

  /// The parameter W, [out_features, in_features]; registered as "weight".
  Tensor weight;
  /// The parameter b, [out_features]; registered as "bias", and undefined when options().bias() is false.
  Tensor bias;

 private:
  std::int64_t in_features_;
  std::int64_t out_features_;
  LinearOptions options_;
};

}  // namespace ag::nn

#pragma GCC visibility pop
