#pragma once

// The loops behind conv1d and conv2d, which convolution.cpp records as ops. A 1-D convolution runs as a 2-D one of
// height 1, and an unbatched input as a batch of 1. Every kernel reads and writes contiguous row-major buffers of the
// shapes the Geometry gives: x [batch, channels, height, width], weight [out_channels, channels / groups, kernel_h,
// kernel_w], y [batch, out_channels, out_h, out_w].
//
// float32 runs on oneDNN's convolution primitives (convolution_onednn.cpp), float64 on im2col and a matrix product per
// sample and group (below; oneDNN has no float64 convolution). bench/conv_kernels.cpp times both on float32, the
// im2col templates instantiated there: on the Fashion-MNIST CNN's layers at batch 64, one thread, oneDNN took 0.7x of
// im2col's time on each layer, forward and backward together.

#include <autograd/shape.hpp>

#include "../kernels.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

namespace ag::kernels::conv {

// A convolution's settings; a 1-D one is stored as a 2-D one of height 1, so one set of kernels serves both.
struct ConvParams {
  std::array<std::int64_t, 2> stride;
  std::array<std::int64_t, 2> padding;
  std::array<std::int64_t, 2> dilation;
  std::int64_t groups;
  int spatial;  // 1 or 2: how many trailing dimensions of the tensors are spatial
};

// The sizes of one convolution: a 1-D one read with height 1, an unbatched one as a batch of 1.
struct Geometry {
  ConvParams p;
  std::int64_t batch, channels, height, width;
  std::int64_t out_channels, kernel_h, kernel_w;
  std::int64_t out_h, out_w;

  std::int64_t group_channels() const { return channels / p.groups; }
  std::int64_t group_out_channels() const { return out_channels / p.groups; }
  // Rows of a group's column matrix: one per (channel, kernel row, kernel column).
  std::int64_t col_rows() const { return group_channels() * kernel_h * kernel_w; }
  std::int64_t in_plane() const { return height * width; }
  std::int64_t out_plane() const { return out_h * out_w; }
  // A 1x1 kernel at stride 1 without padding reads the input as its own column matrix.
  bool is_pointwise() const {
    return kernel_h == 1 && kernel_w == 1 && p.stride[0] == 1 && p.stride[1] == 1 && p.padding[0] == 0 &&
           p.padding[1] == 0;
  }
};

namespace detail {

inline std::int64_t conv_out_size(std::int64_t in, std::int64_t kernel, std::int64_t stride, std::int64_t padding,
                                  std::int64_t dilation) {
  return (in + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;
}

// The first step k >= 0 with k * stride >= bound.
inline std::int64_t first_step_reaching(std::int64_t bound, std::int64_t stride) {
  return bound <= 0 ? 0 : (bound + stride - 1) / stride;
}

// The output columns [begin, end) whose tap at input column `ox * stride + offset` lies inside the input; the others
// read padding.
struct ColumnRange {
  std::int64_t begin, end;
};
inline ColumnRange columns_inside(const Geometry& g, std::int64_t offset) {
  const std::int64_t begin = std::min(first_step_reaching(-offset, g.p.stride[1]), g.out_w);
  const std::int64_t end = std::max(begin, std::min(first_step_reaching(g.width - offset, g.p.stride[1]), g.out_w));
  return {begin, end};
}

// Visits each row of a group's column matrix, [col_rows, out_h * out_w], with the input it reads: row (c, i, j) holds,
// for each output position, the input under kernel tap (i, j) of channel c. For each output row, line(at, input_row,
// offset, range) gets where the row starts in the matrix and the input row the tap reads (null in the padding):
// output column ox reads input_row[ox * stride + offset], inside the input for ox in `range`.
template <class T, class Line>
void for_each_col_line(const Geometry& g, T* plane_base, Line&& line) {
  const auto& p = g.p;
  for (std::int64_t c = 0; c < g.group_channels(); ++c) {
    T* plane = plane_base + c * g.in_plane();
    for (std::int64_t i = 0; i < g.kernel_h; ++i)
      for (std::int64_t j = 0; j < g.kernel_w; ++j) {
        const std::int64_t row = (c * g.kernel_h + i) * g.kernel_w + j;
        const std::int64_t offset = j * p.dilation[1] - p.padding[1];
        const ColumnRange range = columns_inside(g, offset);
        for (std::int64_t oy = 0; oy < g.out_h; ++oy) {
          const std::int64_t iy = oy * p.stride[0] - p.padding[0] + i * p.dilation[0];
          T* input_row = iy >= 0 && iy < g.height ? plane + iy * g.width : nullptr;
          line(row * g.out_plane() + oy * g.out_w, input_row, offset, range);
        }
      }
  }
}

// Unfolds a group's input channels [group_channels, height, width] into its column matrix.
template <class T>
void im2col(const Geometry& g, const T* x, T* col) {
  const std::int64_t stride = g.p.stride[1];
  for_each_col_line(g, x, [&](std::int64_t at, const T* in, std::int64_t offset, ColumnRange range) {
    T* out = col + at;
    if (!in) {
      std::fill_n(out, g.out_w, T(0));
      return;
    }
    std::fill(out, out + range.begin, T(0));
    if (stride == 1)
      std::copy(in + range.begin + offset, in + range.end + offset, out + range.begin);
    else
      for (std::int64_t ox = range.begin; ox < range.end; ++ox) out[ox] = in[ox * stride + offset];
    std::fill(out + range.end, out + g.out_w, T(0));
  });
}

// Adds a column matrix back onto the input positions its entries were read from: im2col's adjoint.
template <class T>
void col2im_add(const Geometry& g, const T* col, T* x) {
  const std::int64_t stride = g.p.stride[1];
  for_each_col_line(g, x, [&](std::int64_t at, T* in, std::int64_t offset, ColumnRange range) {
    if (!in) return;
    const T* from = col + at;
    for (std::int64_t ox = range.begin; ox < range.end; ++ox) in[ox * stride + offset] += from[ox];
  });
}

}  // namespace detail

// The sizes of a convolution of `input` with `weight`, both of the ranks the settings' spatial dimensions give.
inline Geometry geometry_of(const Shape& input, const Shape& weight, const ConvParams& p) {
  const bool batched = input.size() == p.spatial + 2;
  const int channel_dim = batched ? 1 : 0;
  Geometry g{};
  g.p = p;
  g.batch = batched ? input[0] : 1;
  g.channels = input[channel_dim];
  g.height = p.spatial == 2 ? input[channel_dim + 1] : 1;
  g.width = input.back();
  g.out_channels = weight[0];
  g.kernel_h = p.spatial == 2 ? weight[2] : 1;
  g.kernel_w = weight.back();
  g.out_h = detail::conv_out_size(g.height, g.kernel_h, p.stride[0], p.padding[0], p.dilation[0]);
  g.out_w = detail::conv_out_size(g.width, g.kernel_w, p.stride[1], p.padding[1], p.dilation[1]);
  return g;
}

// y[n, group] = weight[group] · columns(x[n, group]) (+ bias), one matrix product per sample and group.
template <class T>
void im2col_forward(const Geometry& g, const T* x, const T* weight, const T* bias, T* y) {
  const std::int64_t rows = g.col_rows();
  const std::int64_t out_plane = g.out_plane();
  const std::int64_t group_out = g.group_out_channels();
  std::vector<T> col(g.is_pointwise() ? 0 : rows * out_plane);
  for (std::int64_t n = 0; n < g.batch; ++n)
    for (std::int64_t group = 0; group < g.p.groups; ++group) {
      const T* xs = x + (n * g.channels + group * g.group_channels()) * g.in_plane();
      T* ys = y + (n * g.out_channels + group * group_out) * out_plane;
      T beta = 0;
      if (bias) {  // the product adds onto the bias
        for (std::int64_t o = 0; o < group_out; ++o)
          std::fill_n(ys + o * out_plane, out_plane, bias[group * group_out + o]);
        beta = 1;
      }
      if (rows == 0) {
        if (!bias) std::fill_n(ys, group_out * out_plane, T(0));
        continue;
      }
      if (!g.is_pointwise()) detail::im2col(g, xs, col.data());
      kernels::gemm(false, false, group_out, out_plane, rows, weight + group * group_out * rows,
                    g.is_pointwise() ? xs : col.data(), ys, beta);
    }
}

// dx[n, group] = columns⁻¹(weight[group]ᵀ · dy[n, group]): the transposed convolution.
template <class T>
void im2col_input_grad(const Geometry& g, const T* dy, const T* weight, T* dx) {
  const std::int64_t rows = g.col_rows();
  const std::int64_t out_plane = g.out_plane();
  const std::int64_t group_out = g.group_out_channels();
  const std::int64_t total = g.batch * g.channels * g.in_plane();
  if (group_out == 0 || out_plane == 0 || rows == 0) {
    std::fill_n(dx, total, T(0));
    return;
  }
  std::vector<T> col(g.is_pointwise() ? 0 : rows * out_plane);
  if (!g.is_pointwise()) std::fill_n(dx, total, T(0));  // col2im adds onto it
  for (std::int64_t n = 0; n < g.batch; ++n)
    for (std::int64_t group = 0; group < g.p.groups; ++group) {
      T* dxs = dx + (n * g.channels + group * g.group_channels()) * g.in_plane();
      const T* dys = dy + (n * g.out_channels + group * group_out) * out_plane;
      const T* ws = weight + group * group_out * rows;
      if (g.is_pointwise()) {
        kernels::gemm(true, false, rows, out_plane, group_out, ws, dys, dxs);
      } else {
        kernels::gemm(true, false, rows, out_plane, group_out, ws, dys, col.data());
        detail::col2im_add(g, col.data(), dxs);
      }
    }
}

// dweight[group] = Σ_n dy[n, group] · columns(x[n, group])ᵀ.
template <class T>
void im2col_weight_grad(const Geometry& g, const T* x, const T* dy, T* dweight) {
  const std::int64_t rows = g.col_rows();
  const std::int64_t out_plane = g.out_plane();
  const std::int64_t group_out = g.group_out_channels();
  if (g.batch == 0 || out_plane == 0 || rows == 0) {
    std::fill_n(dweight, g.out_channels * rows, T(0));
    return;
  }
  std::vector<T> col(g.is_pointwise() ? 0 : rows * out_plane);
  for (std::int64_t n = 0; n < g.batch; ++n)
    for (std::int64_t group = 0; group < g.p.groups; ++group) {
      const T* xs = x + (n * g.channels + group * g.group_channels()) * g.in_plane();
      const T* dys = dy + (n * g.out_channels + group * group_out) * out_plane;
      if (!g.is_pointwise()) detail::im2col(g, xs, col.data());
      kernels::gemm(false, true, group_out, rows, out_plane, dys, g.is_pointwise() ? xs : col.data(),
                    dweight + group * group_out * rows, n == 0 ? T(0) : T(1));
    }
}

// dbias = dy summed over the batch and the positions: one pass over each output plane, in kLanes partial sums that
// the compiler keeps in vector registers (one running sum would wait on each addition).
template <class T>
void bias_grad(const Geometry& g, const T* dy, T* dbias) {
  constexpr std::int64_t kLanes = 16;
  const std::int64_t plane = g.out_plane();
  const std::int64_t whole = plane / kLanes * kLanes;
  std::fill_n(dbias, g.out_channels, T(0));
  for (std::int64_t n = 0; n < g.batch; ++n)
    for (std::int64_t c = 0; c < g.out_channels; ++c) {
      const T* values = dy + (n * g.out_channels + c) * plane;
      T lanes[kLanes] = {};
      for (std::int64_t i = 0; i < whole; i += kLanes)
        for (std::int64_t l = 0; l < kLanes; ++l) lanes[l] += values[i + l];
      T total = 0;
      for (std::int64_t i = whole; i < plane; ++i) total += values[i];
      for (T lane : lanes) total += lane;
      dbias[c] += total;
    }
}

// float32 runs on oneDNN (convolution_onednn.cpp) in two steps: a pass's plan (its primitive and reorders, made once
// per geometry and thread count and cached) is looked up before the kernel that runs it, so that a trace's replay
// only executes it.
enum class Pass { Forward, BackwardData, BackwardWeights };
struct OnednnPlan;
// Keeps its plan alive when the cache drops it.
using PlanRef = std::shared_ptr<const OnednnPlan>;

// The plan of `pass` on `g` (with a bias, for the forward); null when the convolution has a zero size, which oneDNN
// refuses and which is a sum over nothing. Throws ag::Error, naming the shapes, if oneDNN refuses the convolution.
PlanRef onednn_plan(Pass pass, const Geometry& g, bool with_bias);

// y = x ⋆ weight (+ bias, unless null), dx from dy, dweight from x and dy, by `plan`, which onednn_plan gave for g. A
// plan made for another thread count than the one now in effect (a replay after set_num_threads) is looked up again.
void onednn_forward(PlanRef& plan, const Geometry& g, const float* x, const float* weight, const float* bias, float* y);
void onednn_input_grad(PlanRef& plan, const Geometry& g, const float* dy, const float* weight, float* dx);
void onednn_weight_grad(PlanRef& plan, const Geometry& g, const float* x, const float* dy, float* dweight);

// The same, the plan looked up first (bench/conv_kernels.cpp times the kernels this way).
inline void onednn_forward(const Geometry& g, const float* x, const float* weight, const float* bias, float* y) {
  PlanRef plan = onednn_plan(Pass::Forward, g, bias != nullptr);
  onednn_forward(plan, g, x, weight, bias, y);
}
inline void onednn_input_grad(const Geometry& g, const float* dy, const float* weight, float* dx) {
  PlanRef plan = onednn_plan(Pass::BackwardData, g, false);
  onednn_input_grad(plan, g, dy, weight, dx);
}
inline void onednn_weight_grad(const Geometry& g, const float* x, const float* dy, float* dweight) {
  PlanRef plan = onednn_plan(Pass::BackwardWeights, g, false);
  onednn_weight_grad(plan, g, x, dy, dweight);
}

// What a pass of dtype T looks up before its kernel: oneDNN's plan for float32, nothing for float64 (im2col).
template <class T>
PlanRef prepare(Pass pass, const Geometry& g, bool with_bias) {
  if constexpr (std::is_same_v<T, float>) return onednn_plan(pass, g, with_bias);
  return nullptr;
}

// The kernels of each dtype, as convolution.cpp calls them, with the plan prepare<T> gave.
inline void forward(PlanRef& plan, const Geometry& g, const float* x, const float* weight, const float* bias,
                    float* y) {
  onednn_forward(plan, g, x, weight, bias, y);
}
inline void forward(PlanRef&, const Geometry& g, const double* x, const double* weight, const double* bias, double* y) {
  im2col_forward(g, x, weight, bias, y);
}
inline void input_grad(PlanRef& plan, const Geometry& g, const float* dy, const float* weight, float* dx) {
  onednn_input_grad(plan, g, dy, weight, dx);
}
inline void input_grad(PlanRef&, const Geometry& g, const double* dy, const double* weight, double* dx) {
  im2col_input_grad(g, dy, weight, dx);
}
inline void weight_grad(PlanRef& plan, const Geometry& g, const float* x, const float* dy, float* dweight) {
  onednn_weight_grad(plan, g, x, dy, dweight);
}
inline void weight_grad(PlanRef&, const Geometry& g, const double* x, const double* dy, double* dweight) {
  im2col_weight_grad(g, x, dy, dweight);
}

}  // namespace ag::kernels::conv
