#include <autograd/creation.hpp>
#include <autograd/function.hpp>
#include <autograd/grad_mode.hpp>
#include <autograd/ops/arithmetic.hpp>
#include <autograd/ops/normalization.hpp>
#include <autograd/ops/reduction.hpp>
#include <autograd/ops/shape_ops.hpp>
#include <autograd/run_kernel.hpp>

#include "../kernels.hpp"

#include <array>
#include <cmath>
#include <span>
#include <vector>

namespace ag {

namespace {

// Sums of float32 values are taken in double: a channel of a large batch adds up millions of them.
using Acc = double;

// Σ term(i) for i < n, in eight partial sums: one running sum would make each addition wait for the last (the
// compiler may not reorder floating-point additions), while eight independent ones are added side by side in SIMD
// registers.
template <class Term>
Acc lane_sum(std::int64_t n, Term term) {
  constexpr int kLanes = 8;
  std::array<Acc, kLanes> lanes{};
  std::int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int k = 0; k < kLanes; ++k) lanes[k] += term(i + k);
  Acc total = 0;
  for (; i < n; ++i) total += term(i);
  for (const Acc lane : lanes) total += lane;
  return total;
}

// x, then the weight and the bias where they are defined: the inputs a normalisation op records. The backward reads
// the values of x and the weight only.
struct AffineInputs {
  AffineInputs(const Tensor& x, const Tensor& weight, const Tensor& bias) : tensors{x} {
    if (weight.defined()) weight_index = append(weight);
    if (bias.defined()) bias_index = append(bias);
  }
  int append(const Tensor& t) {
    tensors[count] = t;
    return static_cast<int>(count++);
  }
  std::span<const Tensor> span() const { return {tensors.data(), count}; }
  SavedValues saved() const { return {.inputs = 1u | (weight_index >= 0 ? 1u << weight_index : 0u), .output = false}; }

  std::array<Tensor, 3> tensors;
  std::size_t count = 1;
  int weight_index = -1;
  int bias_index = -1;
};

// Where a backward sends the gradients of the weight and the bias: to the inputs they were recorded as.
struct AffineSlots {
  explicit AffineSlots(const AffineInputs& inputs) : weight(inputs.weight_index), bias(inputs.bias_index) {}
  bool weight_needs_grad(const BackwardContext& ctx) const { return weight >= 0 && ctx.needs_grad(weight); }
  bool bias_needs_grad(const BackwardContext& ctx) const { return bias >= 0 && ctx.needs_grad(bias); }
  const Tensor* weight_of(const BackwardContext& ctx) const { return weight >= 0 ? &ctx.input(weight) : nullptr; }
  int weight;
  int bias;
};

void check_floating(const char* op, const Tensor& x) {
  if (!is_floating_point(x.dtype()))
    fail("{}: input of shape {} has dtype {}, expected float32 or float64", op, x.shape(), dtype_name(x.dtype()));
}

void check_per_feature(const char* op, const char* what, const Tensor& t, const Tensor& x, const Shape& expected) {
  if (!t.defined()) return;
  if (!(t.shape() == expected))
    fail("{}: {} has shape {}, but input of shape {} needs {}", op, what, t.shape(), x.shape(), expected);
  if (t.dtype() != x.dtype())
    fail("{}: {} has dtype {}, but input has dtype {} (convert one with .to())", op, what, dtype_name(t.dtype()),
         dtype_name(x.dtype()));
}

// batch_norm: an input [N, C, S...] read as [N, C, S], normalised per channel c over its n = N S values.

struct Channels {
  explicit Channels(const Shape& shape) : batch(shape[0]), channels(shape[1]) {
    for (int d = 2; d < shape.size(); ++d) spatial *= shape[d];
  }
  std::int64_t count() const { return batch * spatial; }  // values per channel
  std::int64_t batch;
  std::int64_t channels;
  std::int64_t spatial = 1;
};

// Calls visit(offset, length) for each contiguous run of channel c's values.
template <class Visit>
void for_each_run(const Channels& g, std::int64_t c, Visit&& visit) {
  for (std::int64_t b = 0; b < g.batch; ++b) visit((b * g.channels + c) * g.spatial, g.spatial);
}

struct BatchStatistics {
  Tensor mean;      // [C]
  Tensor variance;  // [C], biased
};

BatchStatistics batch_statistics(const Tensor& x, const Channels& g) {
  BatchStatistics s{empty({g.channels}, x.dtype()), empty({g.channels}, x.dtype())};
  dispatch_floating(x.dtype(), "batch_norm", [&]<class T>(T) {
    run_kernel(
        "batch_norm",
        [g](const Tensor& x, Tensor& mean_out, Tensor& variance_out) {
          const T* px = x.data<T>();
          T* mean = mean_out.mutable_data<T>();
          T* variance = variance_out.mutable_data<T>();
          const Acc n = static_cast<Acc>(g.count());
          for (std::int64_t c = 0; c < g.channels; ++c) {
            Acc total = 0;
            for_each_run(g, c, [&](std::int64_t at, std::int64_t length) {
              total += lane_sum(length, [&](std::int64_t i) { return Acc(px[at + i]); });
            });
            const Acc m = total / n;
            // Two passes: the sum of squared deviations does not cancel as E[x²] - E[x]² would.
            Acc squares = 0;
            for_each_run(g, c, [&](std::int64_t at, std::int64_t length) {
              squares += lane_sum(length, [&](std::int64_t i) { return (px[at + i] - m) * (px[at + i] - m); });
            });
            mean[c] = static_cast<T>(m);
            variance[c] = static_cast<T>(squares / n);
          }
        },
        x, s.mean, s.variance);
  });
  return s;
}

Tensor inverse_std(const Tensor& variance, double eps) {
  return kernels::unary_map("batch_norm", variance, [eps](auto v) {
    using T = decltype(v);
    return static_cast<T>(1.0 / std::sqrt(static_cast<Acc>(v) + eps));
  });
}

// (x - mean_c) invstd_c weight_c + bias_c.
Tensor batch_norm_apply(const Tensor& x, const Channels& g, const Tensor& mean, const Tensor& invstd,
                        const Tensor& weight, const Tensor& bias) {
  Tensor out = empty(x.shape(), x.dtype());
  dispatch_floating(x.dtype(), "batch_norm", [&]<class T>(T) {
    run_kernel(
        "batch_norm",
        [g](const Tensor& x, const Tensor& mean, const Tensor& invstd, const Tensor& weight, const Tensor& bias,
            Tensor& out) {
          const T* px = x.data<T>();
          T* po = out.mutable_data<T>();
          for (std::int64_t c = 0; c < g.channels; ++c) {
            const T scale = invstd.data<T>()[c] * (weight.defined() ? weight.data<T>()[c] : T(1));
            const T shift = (bias.defined() ? bias.data<T>()[c] : T(0)) - mean.data<T>()[c] * scale;
            for_each_run(g, c, [&](std::int64_t at, std::int64_t length) {
              for (std::int64_t i = 0; i < length; ++i) po[at + i] = px[at + i] * scale + shift;
            });
          }
        },
        x, mean, invstd, weight, bias, out);
  });
  return out;
}

struct AffineGrads {
  Tensor input;
  Tensor weight;
  Tensor bias;
};

// One pass for the sums, one for d/dx:
//   training:   dx = γ invstd (g - Σg / n - (x - mean) invstd² Σg(x - mean) / n)
//   evaluation: dx = γ invstd g
// and d/dweight = invstd Σg(x - mean), d/dbias = Σg.
AffineGrads batch_norm_backward(const Tensor& grad, const Tensor& x, const Channels& g, const Tensor& mean,
                                const Tensor& invstd, const Tensor* weight, bool training, bool want_input) {
  AffineGrads out{want_input ? empty(x.shape(), x.dtype()) : Tensor(), empty({g.channels}, x.dtype()),
                  empty({g.channels}, x.dtype())};
  const Tensor no_weight;
  dispatch_floating(x.dtype(), "batch_norm backward", [&]<class T>(T) {
    run_kernel(
        "batch_norm backward",
        [g, training, want_input](const Tensor& grad, const Tensor& x, const Tensor& mean, const Tensor& invstd,
                                  const Tensor& weight, Tensor& dx, Tensor& dweight, Tensor& dbias) {
          const T* px = x.data<T>();
          const T* pg = grad.data<T>();
          const Acc n = static_cast<Acc>(g.count());
          for (std::int64_t c = 0; c < g.channels; ++c) {
            const Acc m = mean.data<T>()[c];
            const Acc s = invstd.data<T>()[c];
            Acc sum_g = 0;
            Acc sum_g_centered = 0;
            for_each_run(g, c, [&](std::int64_t at, std::int64_t length) {
              sum_g += lane_sum(length, [&](std::int64_t i) { return Acc(pg[at + i]); });
              sum_g_centered += lane_sum(length, [&](std::int64_t i) { return pg[at + i] * (px[at + i] - m); });
            });
            dweight.mutable_data<T>()[c] = static_cast<T>(sum_g_centered * s);
            dbias.mutable_data<T>()[c] = static_cast<T>(sum_g);
            if (!want_input) continue;
            const Acc scale = s * (weight.defined() ? weight.data<T>()[c] : T(1));
            const T a = static_cast<T>(scale);
            const T shift = static_cast<T>(training ? -scale * sum_g / n : 0.0);
            const T slope = static_cast<T>(training ? -scale * s * s * sum_g_centered / n : 0.0);
            const T centre = static_cast<T>(m);
            T* pd = dx.mutable_data<T>();
            for_each_run(g, c, [&](std::int64_t at, std::int64_t length) {
              for (std::int64_t i = 0; i < length; ++i)
                pd[at + i] = a * pg[at + i] + shift + slope * (px[at + i] - centre);
            });
          }
        },
        grad, x, mean, invstd, weight ? *weight : no_weight, out.input, out.weight, out.bias);
  });
  return out;
}

// The same gradients from recorded ops, for create_graph. In training the statistics are recomputed from x, so that
// their own dependence on x is differentiated too.
AffineGrads batch_norm_backward_recorded(const Tensor& grad, const Tensor& x, const Tensor& saved_mean,
                                         const Tensor& saved_invstd, const Tensor* weight, bool training, double eps) {
  std::vector<std::int64_t> dims = {0};
  std::vector<std::int64_t> per_channel(x.dim(), 1);
  per_channel[1] = x.shape()[1];
  for (int d = 2; d < x.dim(); ++d) dims.push_back(d);
  Tensor mean = saved_mean.reshape(per_channel);
  Tensor invstd = saved_invstd.reshape(per_channel);
  if (training) {
    mean = ag::mean(x, dims, true);
    const Tensor centered = x - mean;
    invstd = pow(ag::mean(centered * centered, dims, true) + eps, -0.5);
  }
  const Tensor normalized = (x - mean) * invstd;
  const Tensor scaled = weight ? grad * weight->reshape(per_channel) : grad;
  Tensor input = scaled * invstd;
  if (training)
    input = invstd * (scaled - ag::mean(scaled, dims, true) - normalized * ag::mean(scaled * normalized, dims, true));
  return {input, sum(grad * normalized, dims), sum(grad, dims)};
}

}  // namespace

Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                  const Tensor& bias, bool training, double momentum, double eps) {
  const char* op = "batch_norm";
  check_floating(op, input);
  if (input.dim() < 2)
    fail("batch_norm: input of shape {} has no channel dimension (expected [N, C] or [N, C, ...])", input.shape());
  const Shape channel_shape{input.shape()[1]};
  check_per_feature(op, "weight", weight, input, channel_shape);
  check_per_feature(op, "bias", bias, input, channel_shape);
  check_per_feature(op, "running_mean", running_mean, input, channel_shape);
  check_per_feature(op, "running_var", running_var, input, channel_shape);
  if (running_mean.defined() != running_var.defined())
    fail("batch_norm: running_mean is {} but running_var is {} (pass both or neither)",
         running_mean.defined() ? "defined" : "undefined", running_var.defined() ? "defined" : "undefined");
  if (!training && !running_mean.defined())
    fail("batch_norm: evaluation (training = false) needs running_mean and running_var; input has shape {}",
         input.shape());
  const Channels g(input.shape());
  if (training && g.count() < 2)
    fail("batch_norm: training needs more than one value per channel, but input of shape {} has {}", input.shape(),
         g.count());

  Tensor mean;
  Tensor invstd;
  {
    NoGradGuard no_grad;
    if (training) {
      BatchStatistics batch = batch_statistics(input, g);
      invstd = inverse_std(batch.variance, eps);
      if (running_mean.defined()) {
        const double unbiased = static_cast<double>(g.count()) / static_cast<double>(g.count() - 1);
        Tensor(running_mean).mul_(1.0 - momentum).add_(batch.mean, momentum);
        Tensor(running_var).mul_(1.0 - momentum).add_(batch.variance, momentum * unbiased);
      }
      mean = std::move(batch.mean);
    } else {
      // Copies: the running statistics may change (a training step) before this op's backward runs.
      mean = kernels::copy(running_mean);
      invstd = inverse_std(running_var, eps);
    }
  }
  Tensor out = batch_norm_apply(input, g, mean, invstd, weight, bias);

  const AffineInputs inputs(input, weight, bias);
  return make_op(
      "batch_norm", std::move(out), inputs.span(),
      [mean, invstd, slots = AffineSlots(inputs), training, eps](BackwardContext& ctx, const Tensor& grad) {
        const Tensor& x = ctx.input(0);
        const AffineGrads grads =
            ctx.create_graph()
                ? batch_norm_backward_recorded(grad, x, mean, invstd, slots.weight_of(ctx), training, eps)
                : batch_norm_backward(grad, x, Channels(x.shape()), mean, invstd, slots.weight_of(ctx), training,
                                      ctx.needs_grad(0));
        if (ctx.needs_grad(0)) ctx.add_grad(0, grads.input);
        if (slots.weight_needs_grad(ctx)) ctx.add_grad(slots.weight, grads.weight);
        if (slots.bias_needs_grad(ctx)) ctx.add_grad(slots.bias, grads.bias);
      },
      inputs.saved());
}

namespace {

// layer_norm: an input read as [rows, n], each row normalised over its n trailing values.

struct Rows {
  Rows(const Shape& shape, int normalized_dims) {
    for (int d = 0; d < shape.size(); ++d) (d < shape.size() - normalized_dims ? rows : length) *= shape[d];
    for (int d = shape.size() - normalized_dims; d < shape.size(); ++d) normalized_shape.push_back(shape[d]);
  }
  std::int64_t rows = 1;
  std::int64_t length = 1;
  Shape normalized_shape;
};

struct RowStatistics {
  Tensor mean;    // [rows]
  Tensor invstd;  // [rows]
};

// Normalises each row; returns the output and the statistics the backward reads.
Tensor layer_norm_forward(const Tensor& x, const Rows& r, const Tensor& weight, const Tensor& bias, double eps,
                          RowStatistics& stats) {
  Tensor out = empty(x.shape(), x.dtype());
  stats = {empty({r.rows}, x.dtype()), empty({r.rows}, x.dtype())};
  dispatch_floating(x.dtype(), "layer_norm", [&]<class T>(T) {
    run_kernel(
        "layer_norm",
        [rows = r.rows, length = r.length, eps](const Tensor& x, const Tensor& weight, const Tensor& bias, Tensor& out,
                                                Tensor& mean, Tensor& invstd) {
          // A missing weight is read as ones and a missing bias as zeros, so that the loop has no branch.
          const std::vector<T> ones(weight.defined() ? 0 : length, T(1));
          const std::vector<T> zeros(bias.defined() ? 0 : length, T(0));
          const T* w = weight.defined() ? weight.data<T>() : ones.data();
          const T* b = bias.defined() ? bias.data<T>() : zeros.data();
          const Acc n = static_cast<Acc>(length);
          for (std::int64_t row = 0; row < rows; ++row) {
            const T* px = x.data<T>() + row * length;
            T* po = out.mutable_data<T>() + row * length;
            const Acc m = lane_sum(length, [&](std::int64_t i) { return Acc(px[i]); }) / n;
            const Acc squares = lane_sum(length, [&](std::int64_t i) { return (px[i] - m) * (px[i] - m); });
            const Acc s = 1.0 / std::sqrt(squares / n + eps);
            mean.mutable_data<T>()[row] = static_cast<T>(m);
            invstd.mutable_data<T>()[row] = static_cast<T>(s);
            const T centre = static_cast<T>(m);
            const T scale = static_cast<T>(s);
            for (std::int64_t i = 0; i < length; ++i) po[i] = (px[i] - centre) * scale * w[i] + b[i];
          }
        },
        x, weight, bias, out, stats.mean, stats.invstd);
  });
  return out;
}

// With γg = g γ and x̂ = (x - mean) invstd per row:
//   dx = invstd (γg - Σγg / n - x̂ Σγg x̂ / n),  d/dweight = Σ_rows g x̂,  d/dbias = Σ_rows g.
AffineGrads layer_norm_backward(const Tensor& grad, const Tensor& x, const Rows& r, const RowStatistics& stats,
                                const Tensor* weight, bool want_input) {
  AffineGrads out{want_input ? empty(x.shape(), x.dtype()) : Tensor(), empty(r.normalized_shape, x.dtype()),
                  empty(r.normalized_shape, x.dtype())};
  const Tensor no_weight;
  dispatch_floating(x.dtype(), "layer_norm backward", [&]<class T>(T) {
    run_kernel(
        "layer_norm backward",
        [rows = r.rows, length = r.length, want_input](const Tensor& grad, const Tensor& x, const Tensor& mean,
                                                       const Tensor& invstd, const Tensor& weight, Tensor& dx,
                                                       Tensor& dweight, Tensor& dbias) {
          // A missing weight is read as ones, so that the loops have no branch.
          const std::vector<T> ones(weight.defined() ? 0 : length, T(1));
          const T* w = weight.defined() ? weight.data<T>() : ones.data();
          const Acc n = static_cast<Acc>(length);
          std::vector<Acc> sum_g_normalized(length, 0.0);
          std::vector<Acc> sum_g(length, 0.0);
          for (std::int64_t row = 0; row < rows; ++row) {
            const T* px = x.data<T>() + row * length;
            const T* pg = grad.data<T>() + row * length;
            const T centre = mean.data<T>()[row];
            const T scale = invstd.data<T>()[row];
            const auto normalized = [&](std::int64_t i) { return (px[i] - centre) * scale; };
            const Acc sum_scaled = lane_sum(length, [&](std::int64_t i) { return Acc(pg[i] * w[i]); });
            const Acc sum_scaled_normalized =
                lane_sum(length, [&](std::int64_t i) { return Acc(pg[i] * w[i] * normalized(i)); });
            for (std::int64_t i = 0; i < length; ++i) {
              sum_g_normalized[i] += pg[i] * normalized(i);
              sum_g[i] += pg[i];
            }
            if (!want_input) continue;
            T* pd = dx.mutable_data<T>() + row * length;
            const T mean_scaled = static_cast<T>(sum_scaled / n);
            const T mean_scaled_normalized = static_cast<T>(sum_scaled_normalized / n);
            for (std::int64_t i = 0; i < length; ++i)
              pd[i] = scale * (pg[i] * w[i] - mean_scaled - normalized(i) * mean_scaled_normalized);
          }
          for (std::int64_t i = 0; i < length; ++i) {
            dweight.mutable_data<T>()[i] = static_cast<T>(sum_g_normalized[i]);
            dbias.mutable_data<T>()[i] = static_cast<T>(sum_g[i]);
          }
        },
        grad, x, stats.mean, stats.invstd, weight ? *weight : no_weight, out.input, out.weight, out.bias);
  });
  return out;
}

// The same gradients from recorded ops, the statistics recomputed from x, for create_graph.
AffineGrads layer_norm_backward_recorded(const Tensor& grad, const Tensor& x, const Tensor* weight, const Rows& r,
                                         double eps) {
  std::vector<std::int64_t> dims;
  for (int d = x.dim() - r.normalized_shape.size(); d < x.dim(); ++d) dims.push_back(d);
  const Tensor centered = x - mean(x, dims, true);
  const Tensor invstd = pow(mean(centered * centered, dims, true) + eps, -0.5);
  const Tensor normalized = centered * invstd;
  const Tensor scaled = weight ? grad * *weight : grad;
  const Tensor input =
      invstd * (scaled - mean(scaled, dims, true) - normalized * mean(scaled * normalized, dims, true));
  return {input, sum_to_shape(grad * normalized, r.normalized_shape), sum_to_shape(grad, r.normalized_shape)};
}

}  // namespace

Tensor layer_norm(const Tensor& input, const std::vector<std::int64_t>& normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps) {
  const char* op = "layer_norm";
  check_floating(op, input);
  const Shape affine_shape{std::span<const std::int64_t>(normalized_shape)};
  const int k = affine_shape.size();
  if (k == 0)
    fail("layer_norm: normalized_shape is empty (expected the trailing dimensions of input {} to normalise over)",
         input.shape());
  bool fits = k <= input.dim();
  for (int i = 0; fits && i < k; ++i) fits = input.shape()[input.dim() - k + i] == affine_shape[i];
  if (!fits) fail("layer_norm: input of shape {} does not end in normalized_shape {}", input.shape(), affine_shape);
  check_per_feature(op, "weight", weight, input, affine_shape);
  check_per_feature(op, "bias", bias, input, affine_shape);

  const Rows r(input.shape(), k);
  RowStatistics stats;
  Tensor out = layer_norm_forward(input, r, weight, bias, eps, stats);

  const AffineInputs inputs(input, weight, bias);
  return make_op(
      "layer_norm", std::move(out), inputs.span(),
      [stats, k, slots = AffineSlots(inputs), eps](BackwardContext& ctx, const Tensor& grad) {
        const Tensor& x = ctx.input(0);
        const Rows r(x.shape(), k);
        const AffineGrads grads = ctx.create_graph()
                                      ? layer_norm_backward_recorded(grad, x, slots.weight_of(ctx), r, eps)
                                      : layer_norm_backward(grad, x, r, stats, slots.weight_of(ctx), ctx.needs_grad(0));
        if (ctx.needs_grad(0)) ctx.add_grad(0, grads.input);
        if (slots.weight_needs_grad(ctx)) ctx.add_grad(slots.weight, grads.weight);
        if (slots.bias_needs_grad(ctx)) ctx.add_grad(slots.bias, grads.bias);
      },
      inputs.saved());
}

}  // namespace ag
