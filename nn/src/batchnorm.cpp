#include <nn/batchnorm.hpp>

#include "optim/fused_loop.hpp"

#include <autograd/creation.hpp>
#include <autograd/grad_mode.hpp>
#include <autograd/ops/normalization.hpp>
#include <autograd/run_kernel.hpp>

#include <fmt/format.h>

namespace ag::nn {

Tensor functional::batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                              const Tensor& weight, const Tensor& bias, bool training, double momentum, double eps) {
  return ag::batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps);
}

BatchNormBase::BatchNormBase(BatchNormOptions options) : options_(options) {
  const std::int64_t c = options.num_features();
  if (c <= 0) fail("BatchNorm: num_features = {} must be positive", c);
  if (options.affine()) {
    weight = register_parameter("weight", empty({c}, options.dtype()));
    bias = register_parameter("bias", empty({c}, options.dtype()));
  }
  if (options.track_running_stats()) {
    running_mean = register_buffer("running_mean", empty({c}, options.dtype()));
    running_var = register_buffer("running_var", empty({c}, options.dtype()));
    num_batches_tracked = register_buffer("num_batches_tracked", empty({}, kInt64));
  }
  reset_parameters();
}

void BatchNormBase::reset_running_stats() {
  if (!options_.track_running_stats()) return;
  running_mean.zero_();
  running_var.fill_(1.0);
  num_batches_tracked.zero_();
}

void BatchNormBase::reset_parameters() {
  reset_running_stats();
  if (!options_.affine()) return;
  NoGradGuard no_grad;
  weight.fill_(1.0);
  bias.zero_();
}

Tensor BatchNormBase::forward(const Tensor& input) {
  check_input_dim(input);
  if (input.shape()[1] != options_.num_features())
    fail("{}: input of shape {} has {} channels, expected num_features = {}", name(), input.shape(), input.shape()[1],
         options_.num_features());
  const bool track = options_.track_running_stats();
  const bool counts = is_training() && track;
  if (counts && !options_.momentum() && ag::detail::outside_recorded_kernel())
    fail(
        "{}: momentum=None weights each batch by 1 / num_batches_tracked, a value read on the host that a trace "
        "would fix at recording; give the layer a momentum to trace its training steps",
        name());
  // PyTorch's momentum=None: a cumulative average, each batch weighted 1 / batches.
  const double momentum = !counts ? 0.0
                          : options_.momentum()
                              ? *options_.momentum()
                              : 1.0 / static_cast<double>(num_batches_tracked.item<std::int64_t>() + 1);
  // Without running statistics the batch's own are used in evaluation mode too.
  const bool use_batch_statistics = is_training() || !track;
  Tensor output = functional::batch_norm(input, track ? running_mean : Tensor(), track ? running_var : Tensor(), weight,
                                         bias, use_batch_statistics, momentum, options_.eps());
  // Counted once the batch was accepted: a refused input (one value per channel) leaves the layer as it was.
  if (counts)
    run_kernel(
        "BatchNorm num_batches_tracked", [](Tensor& count) { ++*optim::detail::written<std::int64_t>(count); },
        num_batches_tracked);
  return output;
}

std::string BatchNormBase::extra_repr() const {
  return fmt::format("{}, eps={}, momentum={}, affine={}, track_running_stats={}", options_.num_features(),
                     options_.eps(), options_.momentum() ? fmt::format("{}", *options_.momentum()) : "None",
                     options_.affine(), options_.track_running_stats());
}

void BatchNorm1d::check_input_dim(const Tensor& input) const {
  if (input.dim() != 2 && input.dim() != 3)
    fail("BatchNorm1d: expected a 2-D [N, C] or 3-D [N, C, L] input, got shape {}", input.shape());
}

void BatchNorm2d::check_input_dim(const Tensor& input) const {
  if (input.dim() != 4) fail("BatchNorm2d: expected a 4-D [N, C, H, W] input, got shape {}", input.shape());
}

}  // namespace ag::nn
