#include <autograd/creation.hpp>
#include <autograd/function.hpp>
#include <autograd/ops/indexing.hpp>
#include <autograd/ops/pooling.hpp>
#include <autograd/run_kernel.hpp>

#include "../kernels.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <vector>

namespace ag {

namespace {

// A pooling's input seen as `count` independent planes of [height, width].
struct Planes {
  std::int64_t count, height, width;
};

Planes planes_of(const Shape& shape) {
  const int dims = shape.size();
  return {dims == 4 ? shape[0] * shape[1] : shape[0], shape[dims - 2], shape[dims - 1]};
}

// The input's shape with the last two sizes replaced.
Shape with_plane(Shape shape, std::int64_t height, std::int64_t width) {
  shape[shape.size() - 2] = height;
  shape[shape.size() - 1] = width;
  return shape;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

// PyTorch's pooling_output_shape: under ceil_mode the last window must start inside the input or its left padding.
std::int64_t pooled_size(std::int64_t in, std::int64_t kernel, std::int64_t stride, std::int64_t padding,
                         std::int64_t dilation, bool ceil_mode) {
  std::int64_t out =
      floor_div(in + 2 * padding - dilation * (kernel - 1) - 1 + (ceil_mode ? stride - 1 : 0), stride) + 1;
  if (ceil_mode && (out - 1) * stride >= in + padding) --out;
  return out;
}

// Throws ag::Error, naming the op and the shape, unless `input` is a batch of planes (or one) to pool.
void check_pool_input(const char* op, const Tensor& input) {
  if (input.dim() != 3 && input.dim() != 4)
    fail("{}: expected a 3-D (unbatched) or 4-D (batched) input, [N, C, H, W] or [C, H, W], got shape {}", op,
         input.shape());
  for (int d = input.dim() - 3; d < input.dim(); ++d)
    if (input.shape()[d] == 0)
      fail("{}: input shape {} has an empty channel or spatial dimension (only the batch may be empty)", op,
           input.shape());
  dispatch_floating(input.dtype(), op, [](auto) {});
}

// Throws ag::Error unless the window settings make a pooling of `input`; returns the output's (height, width).
std::array<std::int64_t, 2> check_windows(const char* op, const Tensor& input, const ExpandingArray<2>& kernel,
                                          const ExpandingArray<2>& stride, const ExpandingArray<2>& padding,
                                          const ExpandingArray<2>& dilation, bool ceil_mode) {
  check_pool_input(op, input);
  for (std::size_t d = 0; d < 2; ++d) {
    if (kernel[d] < 1) fail("{}: kernel_size must be at least 1, got {}", op, kernel);
    if (stride[d] < 1) fail("{}: stride must be at least 1, got {}", op, stride);
    if (dilation[d] < 1) fail("{}: dilation must be at least 1, got {}", op, dilation);
    if (padding[d] < 0 || padding[d] > kernel[d] / 2)
      fail("{}: padding must be between 0 and half the kernel size, got padding {} for kernel_size {}", op, padding,
           kernel);
  }
  const Shape& shape = input.shape();
  std::array<std::int64_t, 2> out{};
  for (std::size_t d = 0; d < 2; ++d)
    out[d] = pooled_size(shape[shape.size() - 2 + d], kernel[d], stride[d], padding[d], dilation[d], ceil_mode);
  if (out[0] < 1 || out[1] < 1)
    fail(
        "{}: input shape {} is too small for kernel_size {} with stride {}, padding {} and dilation {}: the output "
        "would be {}x{}",
        op, shape, kernel, stride, padding, dilation, out[0], out[1]);
  return out;
}

// ---- max pooling: each output remembers where in its plane its maximum was, and the gradient goes there.

struct MaxPoolParams {
  std::array<std::int64_t, 2> kernel, stride, padding, dilation;
};

// The taps [begin, end) of a window starting at `start` whose positions start + tap * dilation lie in [0, size).
struct TapRange {
  std::int64_t begin, end;
};
TapRange taps_inside(std::int64_t start, std::int64_t kernel, std::int64_t dilation, std::int64_t size) {
  const auto first_reaching = [dilation](std::int64_t bound) {
    return bound <= 0 ? std::int64_t{0} : (bound + dilation - 1) / dilation;
  };
  const std::int64_t begin = std::min(first_reaching(-start), kernel);
  return {begin, std::max(begin, std::min(first_reaching(size - start), kernel))};
}

template <class T>
void max_pool_forward(const Planes& planes, std::int64_t out_h, std::int64_t out_w, const MaxPoolParams& p, const T* x,
                      T* y, std::int64_t* argmax) {
  std::vector<TapRange> col_taps(out_w);
  for (std::int64_t ox = 0; ox < out_w; ++ox)
    col_taps[ox] = taps_inside(ox * p.stride[1] - p.padding[1], p.kernel[1], p.dilation[1], planes.width);
  for (std::int64_t oy = 0; oy < out_h; ++oy) {
    const std::int64_t y0 = oy * p.stride[0] - p.padding[0];
    const TapRange rows = taps_inside(y0, p.kernel[0], p.dilation[0], planes.height);
    for (std::int64_t ox = 0; ox < out_w; ++ox)
      if (rows.begin == rows.end || col_taps[ox].begin == col_taps[ox].end)
        fail(
            "max_pool2d: the window of output ({}, {}) holds no input element (its dilated taps all fall in the "
            "padding); input plane {}x{}",
            oy, ox, planes.height, planes.width);
  }
  for (std::int64_t plane = 0; plane < planes.count; ++plane) {
    const T* xs = x + plane * planes.height * planes.width;
    T* ys = y + plane * out_h * out_w;
    std::int64_t* where = argmax + plane * out_h * out_w;
    for (std::int64_t oy = 0; oy < out_h; ++oy) {
      const std::int64_t y0 = oy * p.stride[0] - p.padding[0];
      const TapRange rows = taps_inside(y0, p.kernel[0], p.dilation[0], planes.height);
      for (std::int64_t ox = 0; ox < out_w; ++ox) {
        const std::int64_t x0 = ox * p.stride[1] - p.padding[1];
        const TapRange cols = col_taps[ox];
        // The maximum first, then where it is: both loops compile to selects, where one loop tracking both would
        // branch, mispredicted on most windows.
        const auto tap = [&](std::int64_t i, std::int64_t j) {
          return (y0 + i * p.dilation[0]) * planes.width + x0 + j * p.dilation[1];
        };
        T best = xs[tap(rows.begin, cols.begin)];
        bool has_nan = false;
        for (std::int64_t i = rows.begin; i < rows.end; ++i)
          for (std::int64_t j = cols.begin; j < cols.end; ++j) {
            const T value = xs[tap(i, j)];
            best = value > best ? value : best;
            has_nan |= value != value;
          }
        std::int64_t best_at = 0;
        if (!has_nan) {
          // Walking back, the last match is the first tap holding the maximum: PyTorch keeps the first of equals.
          for (std::int64_t i = rows.end; i-- > rows.begin;)
            for (std::int64_t j = cols.end; j-- > cols.begin;) best_at = xs[tap(i, j)] == best ? tap(i, j) : best_at;
        } else {
          // Each NaN replaces the maximum in PyTorch's loop, so the last NaN is the one picked.
          best = std::numeric_limits<T>::quiet_NaN();
          for (std::int64_t i = rows.begin; i < rows.end; ++i)
            for (std::int64_t j = cols.begin; j < cols.end; ++j)
              if (std::isnan(xs[tap(i, j)])) best_at = tap(i, j);
        }
        ys[oy * out_w + ox] = best;
        where[oy * out_w + ox] = best_at;
      }
    }
  }
}

#if defined(__x86_64__)
// The pooling of most CNNs, 2x2 windows at stride 2 lying inside the input, vectorized across each row of outputs:
// compiled for AVX2, since the library's baseline x86-64 build has no vector selects, it takes about half the generic
// loop's time on [64, 32, 28, 28]. The rules are the generic loop's; a row holding a NaN is redone by them.
template <class T>
__attribute__((target("avx2"))) void max_pool_2x2_avx2(const Planes& planes, std::int64_t out_h, std::int64_t out_w,
                                                       const T* x, T* y, std::int64_t* argmax) {
  const std::int64_t width = planes.width;
  for (std::int64_t plane = 0; plane < planes.count; ++plane) {
    const T* xs = x + plane * planes.height * width;
    for (std::int64_t oy = 0; oy < out_h; ++oy) {
      const std::int64_t top = 2 * oy * width;  // the window's taps: top, top + 1, below, below + 1
      const std::int64_t below = top + width;
      T* ys = y + (plane * out_h + oy) * out_w;
      std::int64_t* where = argmax + (plane * out_h + oy) * out_w;
      std::int64_t nans = 0;  // a count, not a flag: an integer sum vectorizes where an or of bools does not
      for (std::int64_t ox = 0; ox < out_w; ++ox) {
        const T a = xs[top + 2 * ox], b = xs[top + 2 * ox + 1], c = xs[below + 2 * ox], d = xs[below + 2 * ox + 1];
        const T upper = a < b ? b : a;
        const T lower = c < d ? d : c;
        const T best = upper < lower ? lower : upper;
        std::int64_t at = below + 2 * ox + 1;  // the first tap holding the maximum, as in the generic loop
        at = c == best ? below + 2 * ox : at;
        at = b == best ? top + 2 * ox + 1 : at;
        at = a == best ? top + 2 * ox : at;
        nans += (a != a) | (b != b) | (c != c) | (d != d);
        ys[ox] = best;
        where[ox] = at;
      }
      if (nans == 0) continue;
      for (std::int64_t ox = 0; ox < out_w; ++ox) {
        const std::int64_t taps[4] = {top + 2 * ox, top + 2 * ox + 1, below + 2 * ox, below + 2 * ox + 1};
        for (std::int64_t tap : taps)
          if (std::isnan(xs[tap])) {  // each NaN replaces the maximum: the last one is picked
            ys[ox] = xs[tap];
            where[ox] = tap;
          }
      }
    }
  }
}
#endif

// dx = each output's gradient added at its maximum's position in its plane.
template <class T>
void max_pool_backward(const Planes& planes, std::int64_t out_plane, const T* dy, const std::int64_t* argmax, T* dx) {
  const std::int64_t in_plane = planes.height * planes.width;
  std::fill_n(dx, planes.count * in_plane, T(0));
  for (std::int64_t plane = 0; plane < planes.count; ++plane) {
    T* dxs = dx + plane * in_plane;
    const T* dys = dy + plane * out_plane;
    const std::int64_t* where = argmax + plane * out_plane;
    for (std::int64_t o = 0; o < out_plane; ++o) dxs[where[o]] += dys[o];
  }
}

// ---- average pooling, plain and adaptive: each output is the mean of a window, separable into a row range and a
// column range.

// The window of one output along one axis: input positions [begin, end), and how many positions the mean divides
// by along this axis (the padding included when it counts).
struct AxisWindow {
  std::int64_t begin, end, divisor;
};

struct MeanPoolParams {
  bool adaptive;
  std::array<std::int64_t, 2> kernel, stride, padding;  // unused when adaptive
  std::array<std::int64_t, 2> output_size;              // adaptive only; otherwise follows from the input
  bool ceil_mode, count_include_pad;
};

struct MeanPoolNames {
  const char* forward;
  const char* backward;
};
constexpr std::array<MeanPoolNames, 2> kMeanPoolNames = {
    MeanPoolNames{"avg_pool2d", "avg_pool2d_backward"},
    MeanPoolNames{"adaptive_avg_pool2d", "adaptive_avg_pool2d_backward"}};

const MeanPoolNames& names_of(const MeanPoolParams& p) { return kMeanPoolNames[p.adaptive ? 1 : 0]; }

std::int64_t mean_pool_out(const MeanPoolParams& p, std::size_t axis, std::int64_t in) {
  return p.adaptive ? p.output_size[axis]
                    : pooled_size(in, p.kernel[axis], p.stride[axis], p.padding[axis], 1, p.ceil_mode);
}

// The windows of the `out` outputs along `axis`, as PyTorch's CPU kernels place them.
std::vector<AxisWindow> axis_windows(const MeanPoolParams& p, std::size_t axis, std::int64_t in, std::int64_t out) {
  std::vector<AxisWindow> windows(out);
  for (std::int64_t o = 0; o < out; ++o) {
    if (p.adaptive) {
      const std::int64_t begin = o * in / out;
      const std::int64_t end = ((o + 1) * in + out - 1) / out;
      windows[o] = {begin, end, end - begin};
      continue;
    }
    const std::int64_t start = o * p.stride[axis] - p.padding[axis];
    const std::int64_t stop = std::min(start + p.kernel[axis], in + p.padding[axis]);
    const std::int64_t begin = std::max<std::int64_t>(start, 0);
    const std::int64_t end = std::min(stop, in);
    windows[o] = {begin, std::max(begin, end), p.count_include_pad ? stop - start : end - begin};
  }
  return windows;
}

template <class T>
void mean_pool_forward(const Planes& planes, const std::vector<AxisWindow>& rows, const std::vector<AxisWindow>& cols,
                       const T* x, T* y) {
  const std::int64_t out_plane = static_cast<std::int64_t>(rows.size() * cols.size());
  for (std::int64_t plane = 0; plane < planes.count; ++plane) {
    const T* xs = x + plane * planes.height * planes.width;
    T* ys = y + plane * out_plane;
    for (const AxisWindow& r : rows)
      for (const AxisWindow& c : cols) {
        T total = 0;
        for (std::int64_t iy = r.begin; iy < r.end; ++iy)
          for (std::int64_t ix = c.begin; ix < c.end; ++ix) total += xs[iy * planes.width + ix];
        // An empty window (past the input under ceil_mode) gives 0, as in PyTorch.
        *ys++ = r.begin < r.end && c.begin < c.end ? total / static_cast<T>(r.divisor * c.divisor) : T(0);
      }
  }
}

// dx = each output's gradient divided by its window's divisor, added to every element of its window.
template <class T>
void mean_pool_backward(const Planes& planes, const std::vector<AxisWindow>& rows, const std::vector<AxisWindow>& cols,
                        const T* dy, T* dx) {
  const std::int64_t out_plane = static_cast<std::int64_t>(rows.size() * cols.size());
  const std::int64_t in_plane = planes.height * planes.width;
  std::fill_n(dx, planes.count * in_plane, T(0));
  for (std::int64_t plane = 0; plane < planes.count; ++plane) {
    T* dxs = dx + plane * in_plane;
    const T* dys = dy + plane * out_plane;
    for (const AxisWindow& r : rows)
      for (const AxisWindow& c : cols) {
        const T share = *dys++ / static_cast<T>(std::max<std::int64_t>(1, r.divisor * c.divisor));
        for (std::int64_t iy = r.begin; iy < r.end; ++iy)
          for (std::int64_t ix = c.begin; ix < c.end; ++ix) dxs[iy * planes.width + ix] += share;
      }
  }
}

Tensor mean_pool_backward_op(const Tensor& grad, const Shape& input_shape, const MeanPoolParams& p);

// Average pooling is linear, so its gradient is the transposed pooling, whose own gradient is the pooling again.
Tensor mean_pool(const Tensor& input, const MeanPoolParams& p) {
  const Planes planes = planes_of(input.shape());
  auto rows = axis_windows(p, 0, planes.height, mean_pool_out(p, 0, planes.height));
  auto cols = axis_windows(p, 1, planes.width, mean_pool_out(p, 1, planes.width));
  Tensor out = empty(with_plane(input.shape(), std::ssize(rows), std::ssize(cols)), input.dtype());
  dispatch_floating(input.dtype(), names_of(p).forward, [&]<class T>(T) {
    run_kernel(
        names_of(p).forward,
        [planes, rows = std::move(rows), cols = std::move(cols)](const Tensor& input, Tensor& out) {
          mean_pool_forward(planes, rows, cols, input.data<T>(), out.mutable_data<T>());
        },
        input, out);
  });
  return make_op(
      names_of(p).forward, std::move(out), {input},
      [p](BackwardContext& ctx, const Tensor& grad) {
        ctx.add_grad(0, mean_pool_backward_op(grad, ctx.input_shape(0), p));
      },
      kSavesShapesOnly);
}

Tensor mean_pool_backward_op(const Tensor& grad, const Shape& input_shape, const MeanPoolParams& p) {
  const Planes planes = planes_of(input_shape);
  auto rows = axis_windows(p, 0, planes.height, grad.shape()[grad.dim() - 2]);
  auto cols = axis_windows(p, 1, planes.width, grad.shape()[grad.dim() - 1]);
  Tensor out = empty(input_shape, grad.dtype());
  dispatch_floating(grad.dtype(), names_of(p).backward, [&]<class T>(T) {
    run_kernel(
        names_of(p).backward,
        [planes, rows = std::move(rows), cols = std::move(cols)](const Tensor& grad, Tensor& out) {
          mean_pool_backward(planes, rows, cols, grad.data<T>(), out.mutable_data<T>());
        },
        grad, out);
  });
  return make_op(
      names_of(p).backward, std::move(out), {grad},
      [p](BackwardContext& ctx, const Tensor& h) { ctx.add_grad(0, mean_pool(h, p)); }, kSavesShapesOnly);
}

}  // namespace

Tensor max_pool2d(const Tensor& input, ExpandingArray<2> kernel_size, ExpandingArray<2> stride,
                  ExpandingArray<2> padding, ExpandingArray<2> dilation, bool ceil_mode) {
  // Plain variables, not a structured binding: the lambda below uses them, which clang 14 refuses for bindings.
  const std::array<std::int64_t, 2> out_size =
      check_windows("max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode);
  const std::int64_t out_h = out_size[0];
  const std::int64_t out_w = out_size[1];
  const MaxPoolParams p{kernel_size.values(), stride.values(), padding.values(), dilation.values()};
  const Planes planes = planes_of(input.shape());
  const Shape out_shape = with_plane(input.shape(), out_h, out_w);
  Tensor out = empty(out_shape, input.dtype());
  Tensor argmax = empty(out_shape, kInt64);
  bool whole_2x2 = false;  // the vectorized loop's case
#if defined(__x86_64__)
  whole_2x2 = p.kernel == std::array<std::int64_t, 2>{2, 2} && p.stride == p.kernel &&
              p.padding == std::array<std::int64_t, 2>{0, 0} && p.dilation == std::array<std::int64_t, 2>{1, 1} &&
              2 * out_h <= planes.height && 2 * out_w <= planes.width && __builtin_cpu_supports("avx2");
#endif
  dispatch_floating(input.dtype(), "max_pool2d", [&]<class T>(T) {
    run_kernel(
        "max_pool2d",
        [planes, out_h, out_w, p, whole_2x2](const Tensor& input, Tensor& out, Tensor& argmax) {
#if defined(__x86_64__)
          if (whole_2x2)
            return max_pool_2x2_avx2(planes, out_h, out_w, input.data<T>(), out.mutable_data<T>(),
                                     argmax.mutable_data<std::int64_t>());
#endif
          max_pool_forward(planes, out_h, out_w, p, input.data<T>(), out.mutable_data<T>(),
                           argmax.mutable_data<std::int64_t>());
        },
        input, out, argmax);
  });
  return make_op(
      "max_pool2d", std::move(out), {input, argmax},
      [](BackwardContext& ctx, const Tensor& grad) {
        const Tensor& argmax = ctx.input(1);
        const Shape& input_shape = ctx.input_shape(0);
        const Planes planes = planes_of(input_shape);
        const std::int64_t out_plane = grad.shape()[grad.dim() - 2] * grad.shape()[grad.dim() - 1];
        if (ctx.create_graph()) {  // as a scatter, whose gradient is the gather of the maxima's positions
          const Tensor flat_argmax = argmax.reshape({planes.count, out_plane});
          const Tensor scattered = scatter_add(zeros({planes.count, planes.height * planes.width}, grad.dtype()), 1,
                                               flat_argmax, grad.reshape({planes.count, out_plane}));
          ctx.add_grad(0, scattered.reshape(std::vector<std::int64_t>(input_shape.begin(), input_shape.end())));
          return;
        }
        Tensor dx = empty(input_shape, grad.dtype());
        dispatch_floating(grad.dtype(), "max_pool2d", [&]<class T>(T) {
          run_kernel(
              "max_pool2d",
              [planes, out_plane](const Tensor& grad, const Tensor& argmax, Tensor& dx) {
                max_pool_backward(planes, out_plane, grad.data<T>(), argmax.data<std::int64_t>(), dx.mutable_data<T>());
              },
              grad, argmax, dx);
        });
        ctx.add_grad(0, dx);
      },
      SavedValues{.inputs = 0b10, .output = false});
}

Tensor avg_pool2d(const Tensor& input, ExpandingArray<2> kernel_size, ExpandingArray<2> stride,
                  ExpandingArray<2> padding, bool ceil_mode, bool count_include_pad) {
  check_windows("avg_pool2d", input, kernel_size, stride, padding, 1, ceil_mode);
  return mean_pool(
      input,
      MeanPoolParams{false, kernel_size.values(), stride.values(), padding.values(), {}, ceil_mode, count_include_pad});
}

Tensor adaptive_avg_pool2d(const Tensor& input, ExpandingArray<2> output_size) {
  check_pool_input("adaptive_avg_pool2d", input);
  if (output_size[0] < 1 || output_size[1] < 1)
    fail("adaptive_avg_pool2d: output_size must be at least 1, got {} (input shape {})", output_size, input.shape());
  return mean_pool(input, MeanPoolParams{true, {}, {}, {}, output_size.values(), false, false});
}

}  // namespace ag
