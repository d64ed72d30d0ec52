#include <nn/init.hpp>

#include <autograd/creation.hpp>
#include <autograd/grad_mode.hpp>
#include <autograd/ops/elementwise.hpp>

#include <cmath>

namespace ag::nn::init {

namespace {

double leaky_relu_gain(double a) { return std::sqrt(2.0 / (1.0 + a * a)); }

}  // namespace

Fans fans(const Tensor& weight) {
  if (weight.dim() < 2)
    fail("init: fan in and fan out need a tensor with at least 2 dimensions, got shape {}", weight.shape());
  std::int64_t receptive_field = 1;
  for (int d = 2; d < weight.dim(); ++d) receptive_field *= weight.shape()[d];
  return {weight.shape()[1] * receptive_field, weight.shape()[0] * receptive_field};
}

Tensor uniform_(Tensor tensor, double low, double high) {
  NoGradGuard no_grad;
  tensor.copy_(rand(tensor.shape(), tensor.dtype()) * (high - low) + low);
  return tensor;
}

Tensor normal_(Tensor tensor, double mean, double std) {
  NoGradGuard no_grad;
  tensor.copy_(randn(tensor.shape(), tensor.dtype()) * std + mean);
  return tensor;
}

Tensor zeros_(Tensor tensor) {
  NoGradGuard no_grad;
  tensor.zero_();
  return tensor;
}

// The fan-based initialisers leave a tensor without elements alone, as PyTorch does: its fans may be zero.

Tensor kaiming_uniform_(Tensor tensor, double a) {
  if (tensor.numel() == 0) return tensor;
  // A uniform in ±bound has variance bound² / 3.
  const double bound = std::sqrt(3.0) * leaky_relu_gain(a) / std::sqrt(static_cast<double>(fans(tensor).in));
  return uniform_(tensor, -bound, bound);
}

Tensor kaiming_normal_(Tensor tensor, double a) {
  if (tensor.numel() == 0) return tensor;
  return normal_(tensor, 0.0, leaky_relu_gain(a) / std::sqrt(static_cast<double>(fans(tensor).in)));
}

Tensor xavier_uniform_(Tensor tensor, double gain) {
  if (tensor.numel() == 0) return tensor;
  const Fans f = fans(tensor);
  const double bound = gain * std::sqrt(6.0 / static_cast<double>(f.in + f.out));
  return uniform_(tensor, -bound, bound);
}

Tensor xavier_normal_(Tensor tensor, double gain) {
  if (tensor.numel() == 0) return tensor;
  const Fans f = fans(tensor);
  return normal_(tensor, 0.0, gain * std::sqrt(2.0 / static_cast<double>(f.in + f.out)));
}

}  // namespace ag::nn::init
