#include <nn/normalization.hpp>

#include <autograd/creation.hpp>
#include <autograd/grad_mode.hpp>
#include <autograd/ops/normalization.hpp>

#include <fmt/format.h>

#include <span>

namespace ag::nn {

Tensor functional::layer_norm(const Tensor& input, const std::vector<std::int64_t>& normalized_shape,
                              const Tensor& weight, const Tensor& bias, double eps) {
  return ag::layer_norm(input, normalized_shape, weight, bias, eps);
}

LayerNorm::LayerNorm(LayerNormOptions options) : options_(std::move(options)) {
  const Shape shape{std::span<const std::int64_t>(options_.normalized_shape())};
  bool positive = !shape.empty();
  for (std::int64_t d : shape) positive = positive && d > 0;
  if (!positive)
    fail("LayerNorm: normalized_shape {} must be non-empty with positive dimensions (for example {{64}})", shape);
  if (options_.elementwise_affine()) {
    weight = register_parameter("weight", empty(shape, options_.dtype()));
    bias = register_parameter("bias", empty(shape, options_.dtype()));
  }
  reset_parameters();
}

void LayerNorm::reset_parameters() {
  if (!options_.elementwise_affine()) return;
  NoGradGuard no_grad;
  weight.fill_(1.0);
  bias.zero_();
}

Tensor LayerNorm::forward(const Tensor& input) {
  return functional::layer_norm(input, options_.normalized_shape(), weight, bias, options_.eps());
}

std::string LayerNorm::extra_repr() const {
  return fmt::format("{}, eps={}, elementwise_affine={}",
                     Shape{std::span<const std::int64_t>(options_.normalized_shape())}, options_.eps(),
                     options_.elementwise_affine());
}

}  // namespace ag::nn
