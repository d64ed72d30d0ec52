#include <nn/functional.hpp>

#include <autograd/creation.hpp>
#include <autograd/function.hpp>
#include <autograd/grad_mode.hpp>
#include <autograd/ops/elementwise.hpp>
#include <autograd/ops/max_min.hpp>
#include <autograd/ops/reduction.hpp>
#include <autograd/ops/softmax.hpp>

#include <cmath>
#include <cstdint>

namespace ag::nn::functional {

namespace {

Tensor reduce(const Tensor& losses, Reduction reduction) {
  switch (reduction) {
    case Reduction::None:
      return losses;
    case Reduction::Sum:
      return sum(losses);
    case Reduction::Mean:
      break;
  }
  return mean(losses);
}

void check_same_shape(const char* loss, const Tensor& input, const Tensor& target) {
  if (!(input.shape() == target.shape()))
    fail("{}: input shape {} and target shape {} must match", loss, input.shape(), target.shape());
}

// PyTorch clamps the logs of binary_cross_entropy at -100, so a probability of exactly 0 or 1 costs 100,
// not infinity.
Tensor clamped_log(const Tensor& x) { return clamp(log(x), -100.0, INFINITY); }

// The gradient of binary_cross_entropy with respect to its input has (1 - x) x in the denominator; PyTorch
// keeps it at least this large.
constexpr double kBinaryCrossEntropyEpsilon = 1e-12;

// A NaN fails both comparisons and passes, so that the loss of a diverged model is NaN like every other loss here
// (PyTorch's CPU kernel refuses it as out of [0, 1] instead).
void check_probabilities(const Tensor& input) {
  if (input.numel() == 0) return;
  NoGradGuard no_grad;
  const double largest = max(input).item();
  const double smallest = -max(-input).item();
  if (smallest < 0.0 || largest > 1.0)
    fail(
        "binary_cross_entropy: input values must be probabilities in [0, 1], got values from {} to {} (for logits "
        "use binary_cross_entropy_with_logits)",
        smallest, largest);
}

// Targets as PyTorch takes them: one int64 class index in [0, C) per row of an input [N, C].
void check_class_targets(const char* loss, const Tensor& input, const Tensor& target) {
  if (target.dtype() != kInt64)
    fail("{}: target must be int64 class indices, got {} (shape {}); convert with .to(ag::kInt64)", loss,
         dtype_name(target.dtype()), target.shape());
  if (input.dim() != 2 || target.dim() != 1 || target.shape()[0] != input.shape()[0])
    fail("{}: expects input [N, C] and target [N] of class indices, got input shape {} and target shape {}", loss,
         input.shape(), target.shape());
  const std::int64_t classes = input.shape()[1];
  const std::int64_t* indices = target.data<std::int64_t>();
  for (std::int64_t i = 0; i < target.numel(); ++i)
    if (indices[i] < 0 || indices[i] >= classes)
      fail("{}: target {} at position {} is not a class index for {} classes (expected an integer in [0, {}])", loss,
           indices[i], i, classes, classes - 1);
}

}  // namespace

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_same_shape("mse_loss", input, target);
  return reduce(pow(input - target, 2.0), reduction);
}

// An op of its own rather than a composite: at probabilities of exactly 0 or 1 (a saturated sigmoid) the
// chain rule through the clamped logs gives 0/0, while PyTorch's gradient stays finite.
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_same_shape("binary_cross_entropy", input, target);
  check_probabilities(input);
  Tensor losses;
  {
    NoGradGuard no_grad;
    losses = -(target * clamped_log(input) + (1.0 - target) * clamped_log(1.0 - input));
  }
  losses =
      make_op("binary_cross_entropy", std::move(losses), {input, target}, [](BackwardContext& ctx, const Tensor& grad) {
        const Tensor& x = ctx.input(0);
        const Tensor& y = ctx.input(1);
        if (ctx.needs_grad(0))
          ctx.add_grad(0, grad * (x - y) / maximum(x * (1.0 - x), scalar_like(x, kBinaryCrossEntropyEpsilon)));
        if (ctx.needs_grad(1)) ctx.add_grad(1, grad * (clamped_log(1.0 - x) - clamped_log(x)));
      });
  return reduce(losses, reduction);
}

// An op of its own: the stable form max(x, 0) - x y + log(1 + exp(-|x|)) has kinks at x = 0 that cancel in the
// value, but the chain rule through them gives a second derivative of 0 there instead of sigmoid'(0) = 1/4 (where a
// zero-initialised last layer starts a gradient penalty).
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_same_shape("binary_cross_entropy_with_logits", input, target);
  Tensor losses;
  {
    NoGradGuard no_grad;
    losses = relu(input) - input * target + log(1.0 + exp(-abs(input)));
  }
  losses = make_op("binary_cross_entropy_with_logits", std::move(losses), {input, target},
                   [](BackwardContext& ctx, const Tensor& grad) {
                     const Tensor& x = ctx.input(0);
                     if (ctx.needs_grad(0)) ctx.add_grad(0, grad * (sigmoid(x) - ctx.input(1)));
                     if (ctx.needs_grad(1)) ctx.add_grad(1, -grad * x);
                   });
  return reduce(losses, reduction);
}

Tensor nll_loss(const Tensor& log_probs, const Tensor& target, Reduction reduction) {
  check_class_targets("nll_loss", log_probs, target);
  return reduce(-log_probs.gather(1, target.unsqueeze(1)).squeeze(1), reduction);
}

Tensor cross_entropy(const Tensor& logits, const Tensor& target, Reduction reduction) {
  check_class_targets("cross_entropy", logits, target);
  return reduce(-log_softmax(logits, 1).gather(1, target.unsqueeze(1)).squeeze(1), reduction);
}

Tensor hinge_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_same_shape("hinge_loss", input, target);
  for (double value : target.to_vector())
    if (value != 1.0 && value != -1.0) fail("hinge_loss: targets must be 1 or -1, got {}", value);
  return reduce(relu(1.0 - target * input), reduction);
}

}  // namespace ag::nn::functional
