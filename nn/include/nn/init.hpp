#pragma once

// Initialisers, as torch::nn::init. They overwrite a tensor in place with values from the global generator,
// so ag::manual_seed makes them reproducible, and return it.

#include <autograd/tensor.hpp>

#include <cstdint>

namespace ag::nn {

// How a layer fills its weight; see LinearOptions for the bias.
enum class Init {
  KaimingUniform,  // PyTorch's default for Linear: uniform in ±1/sqrt(fan_in)
  KaimingNormal,   // normal with std sqrt(2 / fan_in), for ReLU networks
  XavierUniform,
  XavierNormal,
  StandardNormal,
  Zeros,
};

namespace init {

struct Fans {
  std::int64_t in = 0;
  std::int64_t out = 0;
};

// For a weight of shape [out, in, ...]: in * receptive field and out * receptive field, as PyTorch.
Fans fans(const Tensor& weight);

Tensor uniform_(Tensor tensor, double low = 0.0, double high = 1.0);
Tensor normal_(Tensor tensor, double mean = 0.0, double std = 1.0);
Tensor zeros_(Tensor tensor);

// He et al. with fan_in and the leaky-ReLU gain sqrt(2 / (1 + a²)): a = 0 suits ReLU, and a = sqrt(5) gives
// PyTorch's default Linear weights.
Tensor kaiming_uniform_(Tensor tensor, double a = 0.0);
Tensor kaiming_normal_(Tensor tensor, double a = 0.0);

// Glorot and Bengio: variance 2 / (fan_in + fan_out), scaled by gain².
Tensor xavier_uniform_(Tensor tensor, double gain = 1.0);
Tensor xavier_normal_(Tensor tensor, double gain = 1.0);

}  // namespace init
}  // namespace ag::nn
