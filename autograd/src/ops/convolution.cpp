#include <autograd/creation.hpp>
#include <autograd/function.hpp>
#include <autograd/ops/convolution.hpp>
#include <autograd/ops/reduction.hpp>
#include <autograd/run_kernel.hpp>

#include "../kernels.hpp"
#include "convolution_kernels.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace ag {

namespace {

using kernels::conv::ConvParams;
using kernels::conv::Geometry;
using kernels::conv::geometry_of;
using kernels::conv::Pass;

// Each convolution is recorded as three ops: the forward, and its two gradients, each differentiable again.
struct ConvNames {
  const char* forward;
  const char* input_grad;
  const char* weight_grad;
};
constexpr std::array<ConvNames, 2> kConvNames = {
    ConvNames{"conv1d", "conv1d_backward_input", "conv1d_backward_weight"},
    ConvNames{"conv2d", "conv2d_backward_input", "conv2d_backward_weight"}};

const ConvNames& names_of(const ConvParams& p) { return kConvNames[p.spatial - 1]; }

// The input's shape with the channels and spatial sizes of the output.
Shape output_shape(const Shape& input, const Geometry& g) {
  Shape out = input;
  const int channel_dim = out.size() - g.p.spatial - 1;
  out[channel_dim] = g.out_channels;
  if (g.p.spatial == 2) out[channel_dim + 1] = g.out_h;
  out[out.size() - 1] = g.out_w;
  return out;
}

// The bias's gradient: a recorded sum under create_graph, else one pass of the kernel.
Tensor bias_grad(const Tensor& grad, const Shape& input_shape, const Shape& weight_shape, const Shape& bias_shape,
                 const ConvParams& p, bool create_graph) {
  const int channel_dim = grad.dim() - p.spatial - 1;
  if (create_graph) {  // as a recorded sum
    std::vector<std::int64_t> dims;
    for (int d = 0; d < grad.dim(); ++d)
      if (d != channel_dim) dims.push_back(d);
    return sum(grad, dims);
  }
  Tensor out = empty(bias_shape, grad.dtype());
  const Geometry g = geometry_of(input_shape, weight_shape, p);
  dispatch_floating(grad.dtype(), names_of(p).forward, [&]<class T>(T) {
    run_kernel(
        names_of(p).forward,
        [g](const Tensor& grad, Tensor& out) { kernels::conv::bias_grad(g, grad.data<T>(), out.mutable_data<T>()); },
        grad, out);
  });
  return out;
}

Tensor convolution(const Tensor& input, const Tensor& weight, const Tensor& bias, const ConvParams& p);
Tensor convolution_input_grad(const Tensor& grad, const Tensor& weight, const Shape& input_shape, const ConvParams& p);
Tensor convolution_weight_grad(const Tensor& input, const Tensor& grad, const Shape& weight_shape, const ConvParams& p);

// The three ops are bilinear, and each one's gradients are the other two (⟨h, f(a, b)⟩ moved onto a or b):
//   y  = conv(x, w)          dx = input_grad(dy, w)     dw = weight_grad(x, dy)
//   dx = input_grad(dy, w)   d dy = conv(h, w)          dw = weight_grad(h, dy)
//   dw = weight_grad(x, dy)  dx = input_grad(dy, h)     d dy = conv(x, h)
// so every backward is recorded under create_graph and differentiable again.

Tensor convolution(const Tensor& input, const Tensor& weight, const Tensor& bias, const ConvParams& p) {
  const Geometry g = geometry_of(input.shape(), weight.shape(), p);
  Tensor out = empty(output_shape(input.shape(), g), input.dtype());
  dispatch_floating(input.dtype(), names_of(p).forward, [&]<class T>(T) {
    run_kernel(
        names_of(p).forward,
        [g, plan = kernels::conv::prepare<T>(Pass::Forward, g, bias.defined())](
            const Tensor& input, const Tensor& weight, const Tensor& bias, Tensor& out) mutable {
          kernels::conv::forward(plan, g, input.data<T>(), weight.data<T>(), bias.defined() ? bias.data<T>() : nullptr,
                                 out.mutable_data<T>());
        },
        input, weight, bias, out);
  });
  auto backward = [p](BackwardContext& ctx, const Tensor& grad) {
    if (ctx.needs_grad(0)) ctx.add_grad(0, convolution_input_grad(grad, ctx.input(1), ctx.input_shape(0), p));
    if (ctx.needs_grad(1)) ctx.add_grad(1, convolution_weight_grad(ctx.input(0), grad, ctx.input_shape(1), p));
    if (ctx.inputs_count() == 3 && ctx.needs_grad(2))
      ctx.add_grad(2,
                   bias_grad(grad, ctx.input_shape(0), ctx.input_shape(1), ctx.input_shape(2), p, ctx.create_graph()));
  };
  // The input's gradient reads the weight, and the weight's reads the input.
  const SavedValues saved{.inputs = (weight.requires_grad() ? 0b01u : 0u) | (input.requires_grad() ? 0b10u : 0u),
                          .output = false};
  if (bias.defined()) return make_op(names_of(p).forward, std::move(out), {input, weight, bias}, backward, saved);
  return make_op(names_of(p).forward, std::move(out), {input, weight}, backward, saved);
}

Tensor convolution_input_grad(const Tensor& grad, const Tensor& weight, const Shape& input_shape, const ConvParams& p) {
  const Geometry g = geometry_of(input_shape, weight.shape(), p);
  Tensor out = empty(input_shape, grad.dtype());
  dispatch_floating(grad.dtype(), names_of(p).input_grad, [&]<class T>(T) {
    run_kernel(
        names_of(p).input_grad,
        [g, plan = kernels::conv::prepare<T>(Pass::BackwardData, g, false)](const Tensor& grad, const Tensor& weight,
                                                                            Tensor& out) mutable {
          kernels::conv::input_grad(plan, g, grad.data<T>(), weight.data<T>(), out.mutable_data<T>());
        },
        grad, weight, out);
  });
  return make_op(
      names_of(p).input_grad, std::move(out), {grad, weight},
      [p](BackwardContext& ctx, const Tensor& h) {
        if (ctx.needs_grad(0)) ctx.add_grad(0, convolution(h, ctx.input(1), Tensor(), p));
        if (ctx.needs_grad(1)) ctx.add_grad(1, convolution_weight_grad(h, ctx.input(0), ctx.input_shape(1), p));
      },
      SavedValues{.inputs = (weight.requires_grad() ? 0b01u : 0u) | (grad.requires_grad() ? 0b10u : 0u),
                  .output = false});
}

Tensor convolution_weight_grad(const Tensor& input, const Tensor& grad, const Shape& weight_shape,
                               const ConvParams& p) {
  const Geometry g = geometry_of(input.shape(), weight_shape, p);
  Tensor out = empty(weight_shape, grad.dtype());
  dispatch_floating(grad.dtype(), names_of(p).weight_grad, [&]<class T>(T) {
    run_kernel(
        names_of(p).weight_grad,
        [g, plan = kernels::conv::prepare<T>(Pass::BackwardWeights, g, false)](const Tensor& input, const Tensor& grad,
                                                                               Tensor& out) mutable {
          kernels::conv::weight_grad(plan, g, input.data<T>(), grad.data<T>(), out.mutable_data<T>());
        },
        input, grad, out);
  });
  return make_op(
      names_of(p).weight_grad, std::move(out), {input, grad},
      [p](BackwardContext& ctx, const Tensor& h) {
        if (ctx.needs_grad(0)) ctx.add_grad(0, convolution_input_grad(ctx.input(1), h, ctx.input_shape(0), p));
        if (ctx.needs_grad(1)) ctx.add_grad(1, convolution(ctx.input(0), h, Tensor(), p));
      },
      SavedValues{.inputs = (grad.requires_grad() ? 0b01u : 0u) | (input.requires_grad() ? 0b10u : 0u),
                  .output = false});
}

// Throws ag::Error, naming the op and the shapes, unless the arguments make a convolution over `spatial` dimensions.
template <std::size_t D>
void check_convolution(const char* op, const Tensor& input, const Tensor& weight, const Tensor& bias,
                       const ExpandingArray<D>& stride, const ExpandingArray<D>& padding,
                       const ExpandingArray<D>& dilation, std::int64_t groups) {
  constexpr int spatial = static_cast<int>(D);
  const char* layout = spatial == 1 ? "[N, C_in, L] or [C_in, L]" : "[N, C_in, H, W] or [C_in, H, W]";
  const char* weight_layout = spatial == 1 ? "[C_out, C_in / groups, K]" : "[C_out, C_in / groups, kH, kW]";
  if (input.dim() != spatial + 1 && input.dim() != spatial + 2)
    fail("{}: expected a {}-D (unbatched) or {}-D (batched) input, {}, got shape {}", op, spatial + 1, spatial + 2,
         layout, input.shape());
  if (weight.dim() != spatial + 2)
    fail("{}: expected a {}-D weight {}, got shape {} (input shape {})", op, spatial + 2, weight_layout, weight.shape(),
         input.shape());
  kernels::check_same_dtype(op, input, weight);
  if (bias.defined()) kernels::check_same_dtype(op, input, bias);
  if (groups < 1) fail("{}: groups must be at least 1, got {}", op, groups);
  for (std::size_t d = 0; d < D; ++d) {
    if (stride[d] < 1) fail("{}: stride must be at least 1, got {}", op, stride);
    if (padding[d] < 0) fail("{}: padding must not be negative, got {}", op, padding);
    if (dilation[d] < 1) fail("{}: dilation must be at least 1, got {}", op, dilation);
  }
  const std::int64_t out_channels = weight.shape()[0];
  if (out_channels % groups != 0)
    fail("{}: groups = {} does not divide the weight's {} output channels (weight shape {})", op, groups, out_channels,
         weight.shape());
  const int channel_dim = input.dim() - spatial - 1;
  const std::int64_t channels = input.shape()[channel_dim];
  if (channels != weight.shape()[1] * groups)
    fail("{}: input shape {} has {} channels, but weight shape {} with groups = {} expects {} ({} per group)", op,
         input.shape(), channels, weight.shape(), groups, weight.shape()[1] * groups, weight.shape()[1]);
  if (bias.defined() && !(bias.shape() == Shape{out_channels}))
    fail("{}: bias shape {} does not fit weight shape {} (expected a bias [{}])", op, bias.shape(), weight.shape(),
         out_channels);
  for (std::size_t d = 0; d < D; ++d) {
    const std::int64_t padded = input.shape()[channel_dim + 1 + d] + 2 * padding[d];
    const std::int64_t span = dilation[d] * (weight.shape()[2 + d] - 1) + 1;
    if (span > padded)
      fail(
          "{}: the kernel of weight shape {} (dilation {}) spans {} input positions along spatial dimension {}, more "
          "than the padded input's {} (input shape {}, padding {})",
          op, weight.shape(), dilation, span, d, padded, input.shape(), padding);
  }
}

}  // namespace

Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias, ExpandingArray<1> stride,
              ExpandingArray<1> padding, ExpandingArray<1> dilation, std::int64_t groups) {
  check_convolution("conv1d", input, weight, bias, stride, padding, dilation, groups);
  return convolution(input, weight, bias, ConvParams{{1, stride[0]}, {0, padding[0]}, {1, dilation[0]}, groups, 1});
}

Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, ExpandingArray<2> stride,
              ExpandingArray<2> padding, ExpandingArray<2> dilation, std::int64_t groups) {
  check_convolution("conv2d", input, weight, bias, stride, padding, dilation, groups);
  return convolution(input, weight, bias, ConvParams{stride.values(), padding.values(), dilation.values(), groups, 2});
}

}  // namespace ag
