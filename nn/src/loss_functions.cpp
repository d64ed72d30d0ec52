#include <nn/functional.hpp>

#include <autograd/creation.hpp>
#include <autograd/function.hpp>
#include <autograd/grad_mode.hpp>
#include <autograd/ops/elementwise.hpp>
#include <autograd/ops/max_min.hpp>
#include <autograd/ops/reduction.hpp>
#include <autograd/ops/softmax.hpp>
#include <autograd/run_kernel.hpp>

#include <algorithm>
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

// A NaN anywhere passes, so that the loss of a diverged model is NaN like every other loss here (PyTorch's CPU
// kernel refuses it as out of [0, 1] instead). Checked in a kernel, so that a replay checks its own input.
void check_probabilities(const Tensor& input) {
  if (input.numel() == 0) return;
  dispatch(input.dtype(), [&]<class T>(T) {
    run_kernel(
        "binary_cross_entropy check",
        [](const Tensor& input) {
          const T* values = input.data<T>();
          double smallest = INFINITY, largest = -INFINITY;
          for (std::int64_t i = 0, n = input.numel(); i < n; ++i) {
            const double value = static_cast<double>(values[i]);
            if (std::isnan(value)) return;
            smallest = std::min(smallest, value);
            largest = std::max(largest, value);
          }
          if (smallest < 0.0 || largest > 1.0)
            fail(
                "binary_cross_entropy: input values must be probabilities in [0, 1], got values from {} to {} (for "
                "logits "
                "use binary_cross_entropy_with_logits)",
                smallest, largest);
        },
        input);
  });
}

// Targets as PyTorch takes them: one int64 class index in [0, C) per row of an input [N, C]. The indices are checked
// in a kernel, so that a replay checks its own targets.
void check_class_targets(const char* loss, const Tensor& input, const Tensor& target) {
  if (target.dtype() != kInt64)
    fail("{}: target must be int64 class indices, got {} (shape {}); convert with .to(ag::kInt64)", loss,
         dtype_name(target.dtype()), target.shape());
  if (input.dim() != 2 || target.dim() != 1 || target.shape()[0] != input.shape()[0])
    fail("{}: expects input [N, C] and target [N] of class indices, got input shape {} and target shape {}", loss,
         input.shape(), target.shape());
  const std::int64_t classes = input.shape()[1];
  run_kernel(
      "class target check",
      [loss, classes](const Tensor& target) {
        const std::int64_t* indices = target.data<std::int64_t>();
        for (std::int64_t i = 0; i < target.numel(); ++i)
          if (indices[i] < 0 || indices[i] >= classes)
            fail("{}: target {} at position {} is not a class index for {} classes (expected an integer in [0, {}])",
                 loss, indices[i], i, classes, classes - 1);
      },
      target);
}

}  // namespace

namespace {
// The mean of (input - target)² as one op (PyTorch's mse_loss), computed as the composite pow(input - target, 2)
// followed by mean would compute it, operation for operation, so both give the same bits: a training step's loss
// costs one kernel forward and one backward instead of three and two.
Tensor mean_squared_error(const Tensor& input, const Tensor& target) {
  Tensor out = empty({}, input.dtype());
  dispatch_floating(input.dtype(), "mse_loss", [&]<class T>(T) {
    run_kernel(
        "mse_loss",
        [](const Tensor& input, const Tensor& target, Tensor& out) {
          const T* pa = input.data<T>();
          const T* pb = target.data<T>();
          const std::int64_t n = input.numel();
          T sum = 0;
          for (std::int64_t i = 0; i < n; ++i) sum += std::pow(pa[i] - pb[i], T(2));
          *out.mutable_data<T>() = sum / static_cast<T>(n);
        },
        input, target, out);
  });
  return make_op(
      "mse_loss", std::move(out), {input, target},
      [](BackwardContext& ctx, const Tensor& grad) {
        const Tensor& input = ctx.input(0);
        const Tensor& target = ctx.input(1);
        const double count = static_cast<double>(input.numel());
        if (ctx.create_graph()) {
          const Tensor local = grad / count * (2.0 * (input - target));
          ctx.add_grad(0, local);
          ctx.add_grad(1, -local);
          return;
        }
        Tensor input_grad = empty(input.shape(), input.dtype());
        Tensor target_grad = ctx.needs_grad(1) ? empty(target.shape(), target.dtype()) : Tensor();
        dispatch_floating(input.dtype(), "mse_loss backward", [&]<class T>(T) {
          run_kernel(
              "mse_loss backward",
              [](const Tensor& grad, const Tensor& input, const Tensor& target, Tensor& input_grad,
                 Tensor& target_grad) {
                const T* pa = input.data<T>();
                const T* pb = target.data<T>();
                const std::int64_t n = input.numel();
                const T scaled = *grad.data<T>() / static_cast<T>(n);  // the mean's backward, then pow's
                T* pi = input_grad.mutable_data<T>();
                for (std::int64_t i = 0; i < n; ++i) pi[i] = scaled * (T(2) * (pa[i] - pb[i]));
                if (!target_grad.defined()) return;
                T* pt = target_grad.mutable_data<T>();
                for (std::int64_t i = 0; i < n; ++i) pt[i] = -pi[i];
              },
              grad, input, target, input_grad, target_grad);
        });
        ctx.add_grad(0, std::move(input_grad));
        if (target_grad.defined()) ctx.add_grad(1, std::move(target_grad));
      },
      kSavesInputsOnly);
}
}  // namespace

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_same_shape("mse_loss", input, target);
  if (reduction == Reduction::Mean && input.dtype() == target.dtype() && is_floating_point(input.dtype()) &&
      input.numel() > 0)
    return mean_squared_error(input, target);
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
  dispatch(target.dtype(), [&]<class T>(T) {
    run_kernel(
        "hinge_loss check",
        [](const Tensor& target) {
          const T* values = target.data<T>();
          for (std::int64_t i = 0, n = target.numel(); i < n; ++i) {
            const double value = static_cast<double>(values[i]);
            if (value != 1.0 && value != -1.0) fail("hinge_loss: targets must be 1 or -1, got {}", value);
          }
        },
        target);
  });
  return reduce(relu(1.0 - target * input), reduction);
}

}  // namespace ag::nn::functional
