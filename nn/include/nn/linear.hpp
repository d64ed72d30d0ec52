#pragma once

#include <autograd/detail/options_arg.hpp>
#include <autograd/dtype.hpp>
#include <nn/init.hpp>
#include <nn/module.hpp>

#include <cstdint>
#include <string>

namespace ag::nn {

// Chainable settings of a Linear layer: LinearOptions().bias(false).init(Init::XavierUniform).
class LinearOptions {
  AG_ARG(bool, bias) = true;
  // KaimingUniform draws the bias as PyTorch does, uniform in ±1/sqrt(in_features); every other scheme
  // starts the bias at zero.
  AG_ARG(Init, init) = Init::KaimingUniform;
  // The default dtype is the one set when the options are made (ag::set_default_dtype).
  AG_ARG(DType, dtype) = default_dtype();
};

// y = x Wᵀ + b, as torch::nn::Linear: the weight is [out_features, in_features], and the input may be
// [in_features], [batch, in_features] or [..., in_features].
class Linear : public UnaryModule {
 public:
  Linear(std::int64_t in_features, std::int64_t out_features, LinearOptions options = {});

  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Linear"; }
  std::string extra_repr() const override;

  // Draws new values for the weight and bias, as options().init() says.
  void reset_parameters();

  std::int64_t in_features() const { return in_features_; }
  std::int64_t out_features() const { return out_features_; }
  const LinearOptions& options() const { return options_; }

  Tensor weight;
  Tensor bias;  // undefined when options().bias() is false

 private:
  std::int64_t in_features_;
  std::int64_t out_features_;
  LinearOptions options_;
};

}  // namespace ag::nn
