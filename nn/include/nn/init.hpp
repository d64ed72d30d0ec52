#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

// Initialisers, as torch::nn::init, and the Init schemes that select them.

#include <autograd/tensor.hpp>

#include <cstdint>

namespace ag::nn {

/// How a layer fills its weight; see LinearOptions for the bias.
enum class Init {
  KaimingUniform,  ///< PyTorch's default for Linear: uniform in ±1/sqrt(fan_in)
  KaimingNormal,   ///< normal with std sqrt(2 / fan_in), for ReLU networks (init::kaiming_normal_)
  XavierUniform,   ///< init::xavier_uniform_ with gain 1
  XavierNormal,    ///< init::xavier_normal_ with gain 1
  StandardNormal,  ///< normal with mean 0 and std 1
  Zeros,           ///< all zeros
};

/// Initialisers, as torch::nn::init. They overwrite a tensor in place with values from the global generator,
/// so ag::manual_seed makes them reproducible, and return it. They run without recording a graph, so they may fill
/// a parameter that requires grad.
namespace init {

/// The fan-in and fan-out of a weight, which scale the Kaiming and Xavier initialisers.
struct Fans {
  std::int64_t in = 0;   ///< inputs feeding each output: in * receptive field
  std::int64_t out = 0;  ///< outputs fed by each input: out * receptive field
};

/// For a weight of shape [out, in, ...]: in * receptive field and out * receptive field, as PyTorch, the receptive
/// field being the product of the sizes after the first two. Throws ag::Error if `weight` has fewer than 2
/// dimensions.
Fans fans(const Tensor& weight);

/// Fills `tensor` with values drawn uniformly from [low, high).
Tensor uniform_(Tensor tensor, double low = 0.0, double high = 1.0);
/// Fills `tensor` with values drawn from a normal distribution of mean `mean` and standard deviation `std`.
Tensor normal_(Tensor tensor, double mean = 0.0, double std = 1.0);
/// Fills `tensor` with zeros.
Tensor zeros_(Tensor tensor);

/// He et al. with fan_in and the leaky-ReLU gain sqrt(2 / (1 + a²)): a = 0 suits ReLU, and a = sqrt(5) gives
/// PyTorch's default Linear weights. Variance gain² / fan_in, here uniform in ±gain sqrt(3 / fan_in).
/// Throws ag::Error as fans(), except that a tensor without elements is left alone.
Tensor kaiming_uniform_(Tensor tensor, double a = 0.0);
/// As kaiming_uniform_, from a normal distribution of std gain / sqrt(fan_in).
Tensor kaiming_normal_(Tensor tensor, double a = 0.0);

/// Glorot and Bengio: variance 2 / (fan_in + fan_out), scaled by gain², here uniform in
/// ±gain sqrt(6 / (fan_in + fan_out)). Throws ag::Error as fans(), except that a tensor without elements is left
/// alone.
Tensor xavier_uniform_(Tensor tensor, double gain = 1.0);
/// As xavier_uniform_, from a normal distribution of std gain sqrt(2 / (fan_in + fan_out)).
Tensor xavier_normal_(Tensor tensor, double gain = 1.0);

}  // namespace init
}  // namespace ag::nn

#pragma GCC visibility pop
