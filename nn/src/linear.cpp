#include <nn/functional.hpp>
#include <nn/linear.hpp>

#include <autograd/creation.hpp>
#include <autograd/ops/linalg.hpp>

#include <cmath>

namespace ag::nn {

Tensor functional::linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  return ag::linear(input, weight, bias);
}

Linear::Linear(std::int64_t in_features, std::int64_t out_features, LinearOptions options)
    : in_features_(in_features), out_features_(out_features), options_(options) {
  if (in_features < 0 || out_features < 0)
    fail("Linear: in_features ({}) and out_features ({}) must not be negative", in_features, out_features);
  weight = register_parameter("weight", empty({out_features, in_features}, options.dtype()));
  if (options.bias()) bias = register_parameter("bias", empty({out_features}, options.dtype()));
  reset_parameters();
}

void Linear::reset_parameters() {
  switch (options_.init()) {
    case Init::KaimingUniform:
      // PyTorch's reset_parameters: kaiming_uniform_ with a = sqrt(5) makes the weight bound 1/sqrt(fan_in).
      init::kaiming_uniform_(weight, std::sqrt(5.0));
      if (bias.defined()) {
        const double bound = in_features_ > 0 ? 1.0 / std::sqrt(static_cast<double>(in_features_)) : 0.0;
        init::uniform_(bias, -bound, bound);
      }
      return;
    case Init::KaimingNormal:
      init::kaiming_normal_(weight);
      break;
    case Init::XavierUniform:
      init::xavier_uniform_(weight);
      break;
    case Init::XavierNormal:
      init::xavier_normal_(weight);
      break;
    case Init::StandardNormal:
      init::normal_(weight);
      break;
    case Init::Zeros:
      init::zeros_(weight);
      break;
  }
  if (bias.defined()) init::zeros_(bias);
}

Tensor Linear::forward(const Tensor& input) {
  if (input.dim() == 0 || input.shape().back() != in_features_)
    fail("Linear: input of shape {} does not end in in_features = {} (expected [{}], [batch, {}] or [..., {}])",
         input.shape(), in_features_, in_features_, in_features_, in_features_);
  return functional::linear(input, weight, bias);
}

std::string Linear::extra_repr() const {
  return fmt::format("in_features={}, out_features={}, bias={}", in_features_, out_features_, options_.bias());
}

}  // namespace ag::nn
