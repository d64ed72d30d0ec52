#include <autograd/creation.hpp>
#include <autograd/function.hpp>
#include <autograd/ops/arithmetic.hpp>
#include <autograd/ops/comparison.hpp>
#include <autograd/ops/indexing.hpp>
#include <autograd/ops/shape_ops.hpp>

#include "../kernels.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace ag {

namespace {

// The backwards of the ops that select by an index tensor read that tensor (input 1) and shapes only: the values
// selected from, scattered into or looked up (an embedding's weight) are not kept for them.
constexpr SavedValues kSavesIndexOnly{.inputs = 0b10, .output = false};

// A 0-d tensor indexes as a 1-D tensor of one element, as in PyTorch.
std::int64_t size_along(const Shape& shape, int dim) { return shape.size() == 0 ? 1 : shape[dim]; }

void check_index_dtype(const char* op, const Tensor& index) {
  if (index.dtype() != kInt64)
    fail("{}: index must be int64, got {} (shape {}); convert with .to(ag::kInt64)", op, dtype_name(index.dtype()),
         index.shape());
}

// Where the flat position `flat` of a row-major `shape` is, as "[1, 0]".
std::string position_in(const Shape& shape, std::int64_t flat) {
  const auto strides = contiguous_strides(shape);
  std::string text = "[";
  for (int d = 0; d < shape.size(); ++d) {
    text += fmt::format("{}{}", d ? ", " : "", flat / strides[d]);
    flat %= strides[d];
  }
  return text + "]";
}

[[noreturn]] void fail_index_value(const char* op, const Tensor& index, std::int64_t flat, std::int64_t value, int dim,
                                   const char* tensor, const Shape& shape) {
  const std::int64_t size = size_along(shape, dim);
  if (size == 0)
    fail("{}: index {} at position {} is out of range: dimension {} of the {} (shape {}) is empty", op, value,
         position_in(index.shape(), flat), dim, tensor, shape);
  fail(
      "{}: index {} at position {} is out of range for dimension {} of size {} ({} shape {}; expected an integer "
      "in [0, {}])",
      op, value, position_in(index.shape(), flat), dim, size, tensor, shape, size - 1);
}

// The index values, each checked to pick an entry of `dim` of `shape` (the shape of `tensor`, named in the error).
const std::int64_t* checked_indices(const char* op, const Tensor& index, int dim, const char* tensor,
                                    const Shape& shape) {
  const std::int64_t* indices = index.data<std::int64_t>();
  const std::int64_t size = size_along(shape, dim);
  for (std::int64_t i = 0, n = index.numel(); i < n; ++i)
    if (indices[i] < 0 || indices[i] >= size) fail_index_value(op, index, i, indices[i], dim, tensor, shape);
  return indices;
}

// How gather and scatter_add reach x's element for a position of an index of x's rank: `strides` walk x along
// every dimension but `dim`, where the index value times `stride` is added (index values checked against `size`).
struct IndexWalk {
  kernels::Strides strides;
  std::int64_t stride;
  std::int64_t size;
};

IndexWalk walk_along(const Shape& shape, int dim) {
  IndexWalk walk{contiguous_strides(shape), 0, size_along(shape, dim)};
  walk.stride = walk.strides[dim];
  walk.strides[dim] = 0;
  return walk;
}

// Calls run(whole_offset, part_offset, count) for each run of contiguous elements of the slice start, start + step,
// ... (`length` entries) along the dimension `whole` describes, in the whole tensor and in the slice.
template <class Run>
void for_each_slice_run(const kernels::Lines& whole, std::int64_t start, std::int64_t step, std::int64_t length,
                        Run&& run) {
  const std::int64_t inner = whole.inner;
  for (std::int64_t o = 0; o < whole.outer; ++o) {
    const std::int64_t whole_row = (o * whole.length + start) * inner;
    const std::int64_t part_row = o * length * inner;
    if (step == 1) {
      run(whole_row, part_row, length * inner);
    } else {
      for (std::int64_t k = 0; k < length; ++k) run(whole_row + k * step * inner, part_row + k * inner, inner);
    }
  }
}

// Zeros of `shape` with `grad` placed at start, start + step, ... along dim: the gradient of slice. An op of its own,
// whose gradient is the slice again, so that slice can be differentiated twice.
Tensor slice_backward(const Tensor& grad, const Shape& shape, int dim, std::int64_t start, std::int64_t step) {
  Tensor out = empty(shape, grad.dtype());
  const std::int64_t length = size_along(grad.shape(), dim);
  const kernels::Lines lines = kernels::lines_along(shape, dim);
  dispatch(grad.dtype(), [&]<class T>(T) {
    run_kernel(
        "slice_backward",
        [lines, start, step, length](const Tensor& grad, Tensor& out) {
          const T* pg = grad.data<T>();
          T* po = out.mutable_data<T>();
          std::fill_n(po, out.numel(), T(0));
          for_each_slice_run(lines, start, step, length,
                             [&](std::int64_t whole, std::int64_t part, std::int64_t count) {
                               std::copy_n(pg + part, count, po + whole);
                             });
        },
        grad, out);
  });
  return make_op("slice_backward", std::move(out), {grad},
                 [dim, start, length, step](BackwardContext& ctx, const Tensor& grad_grad) {
                   ctx.add_grad(0, slice(grad_grad, dim, start, start + length * step, step));
                 });
}

// Calls run(whole_offset, part_offset) for each run of `lines.inner` elements that `indices` pick along the
// dimension `lines` describes: entry indices[k] of the whole tensor, entry k of the part.
template <class Run>
void for_each_indexed_run(const kernels::Lines& lines, const std::int64_t* indices, std::int64_t count, Run&& run) {
  for (std::int64_t o = 0; o < lines.outer; ++o)
    for (std::int64_t k = 0; k < count; ++k)
      run((o * lines.length + indices[k]) * lines.inner, (o * count + k) * lines.inner);
}

// The entries that `index` picks along dim, without the graph: index_select, and embedding's forward (`op`, which
// names x `tensor` in the error for an index out of range). The kernel reads and checks the index values, so that a
// replay picks the entries of the index it is given.
Tensor select_entries(const char* op, const Tensor& x, int dim, const Tensor& index, const char* tensor) {
  Shape shape = x.shape();
  if (shape.size() > 0) shape[dim] = index.numel();
  Tensor out = empty(shape, x.dtype());
  const kernels::Lines lines = kernels::lines_along(x.shape(), dim);
  dispatch(x.dtype(), [&]<class T>(T) {
    run_kernel(
        op,
        [op, dim, tensor, lines](const Tensor& x, const Tensor& index, Tensor& out) {
          const std::int64_t* indices = checked_indices(op, index, dim, tensor, x.shape());
          const T* px = x.data<T>();
          T* po = out.mutable_data<T>();
          for_each_indexed_run(lines, indices, index.numel(), [&](std::int64_t whole, std::int64_t part) {
            std::copy_n(px + whole, lines.inner, po + part);
          });
        },
        x, index, out);
  });
  return out;
}

// Pads `grad` with zeros at the end of each dimension up to `shape`: the gradient of a source larger than the
// index that reads it (scatter_add reads only index's extent of the source).
Tensor pad_to(Tensor grad, const Shape& shape) {
  for (int d = 0; d < shape.size(); ++d)
    if (grad.shape()[d] != shape[d]) {
      Shape padded = grad.shape();
      padded[d] = shape[d];
      grad = slice_backward(grad, padded, d, 0, 1);
    }
  return grad;
}

void check_same_rank(const char* op, const char* what, const Tensor& tensor, const Tensor& index) {
  if (tensor.dim() != index.dim())
    fail("{}: index must have as many dimensions as the {}: index shape {}, {} shape {}", op, what, index.shape(), what,
         tensor.shape());
}

// No dimension of `index` may be larger than `tensor`'s, except along `dim` when `except_dim` is set.
void check_index_fits(const char* op, const char* what, const Tensor& tensor, const Tensor& index, int dim,
                      bool except_dim) {
  for (int d = 0; d < index.dim(); ++d)
    if (!(except_dim && d == dim) && index.shape()[d] > tensor.shape()[d])
      fail("{}: index shape {} is larger than the {} shape {} at dimension {}{}", op, index.shape(), what,
           tensor.shape(), d, except_dim ? fmt::format(" (only dimension {} may be larger)", dim) : "");
}

// A 1-D index (or 0-d, read as one element), as index_select and index_add take.
void check_index_vector(const char* op, const Tensor& x, const Tensor& index) {
  check_index_dtype(op, index);
  if (index.dim() > 1) fail("{}: index must be 1-D, got shape {} (input shape {})", op, index.shape(), x.shape());
  if (x.dim() == 0 && index.numel() != 1)
    fail("{}: a 0-d input takes exactly one index, got {} (index shape {})", op, index.numel(), index.shape());
}

}  // namespace

Tensor index(const Tensor& x, std::int64_t i) {
  if (x.dim() == 0) fail("index: a 0-d tensor cannot be indexed (use item())");
  const std::int64_t rows = x.shape()[0];
  if (i < -rows || i >= rows)
    fail("index: index {} is out of range for dimension 0 of size {} (shape {})", i, rows, x.shape());
  const std::int64_t row = i < 0 ? i + rows : i;
  Shape shape = x.shape();
  shape.erase(0);
  return make_op(
      "index", kernels::view_of(x, shape, row * shape.numel()), {x},
      [row](BackwardContext& ctx, const Tensor& grad) {
        ctx.add_grad(0, slice_backward(unsqueeze(grad, 0), ctx.input_shape(0), 0, row, 1));
      },
      kSavesShapesOnly);
}

Tensor slice(const Tensor& x, std::int64_t dim, std::int64_t start, std::int64_t end, std::int64_t step) {
  if (x.dim() == 0) fail("slice: a 0-d tensor cannot be sliced (shape [])");
  if (step <= 0) fail("slice: step must be positive, got {} (input shape {})", step, x.shape());
  const int d = normalize_dim(dim, x.dim(), "slice");
  const std::int64_t size = x.shape()[d];
  const auto clip = [size](std::int64_t i) { return std::clamp(i < 0 ? i + size : i, std::int64_t{0}, size); };
  const std::int64_t first = clip(start);
  const std::int64_t last = std::max(first, clip(end));
  Shape shape = x.shape();
  shape[d] = (last - first + step - 1) / step;
  const kernels::Lines lines = kernels::lines_along(x.shape(), d);
  Tensor out;
  if (lines.outer == 1 && step == 1) {
    // A run of whole rows is contiguous: like x[i], the slice shares x's values instead of copying them.
    out = kernels::view_of(x, shape, first * lines.inner);
  } else {
    out = empty(shape, x.dtype());
    const std::int64_t length = shape[d];
    dispatch(x.dtype(), [&]<class T>(T) {
      run_kernel(
          "slice",
          [lines, first, step, length](const Tensor& x, Tensor& out) {
            const T* px = x.data<T>();
            T* po = out.mutable_data<T>();
            for_each_slice_run(lines, first, step, length,
                               [&](std::int64_t whole, std::int64_t part, std::int64_t count) {
                                 std::copy_n(px + whole, count, po + part);
                               });
          },
          x, out);
    });
  }
  return make_op(
      "slice", std::move(out), {x},
      [d, first, step](BackwardContext& ctx, const Tensor& grad) {
        ctx.add_grad(0, slice_backward(grad, ctx.input_shape(0), d, first, step));
      },
      kSavesShapesOnly);
}

Tensor narrow(const Tensor& x, std::int64_t dim, std::int64_t start, std::int64_t length) {
  if (x.dim() == 0) fail("narrow: a 0-d tensor cannot be narrowed (shape [])");
  const int d = normalize_dim(dim, x.dim(), "narrow");
  const std::int64_t size = x.shape()[d];
  if (start < -size || start > size)
    fail("narrow: start {} is out of range for dimension {} of size {} (shape {}; expected [{}, {}])", start, d, size,
         x.shape(), -size, size);
  const std::int64_t first = start < 0 ? start + size : start;
  if (length < 0 || first + length > size)
    fail(
        "narrow: length {} from start {} does not fit dimension {} of size {} (shape {}; expected a length in [0, {}])",
        length, first, d, size, x.shape(), size - first);
  return slice(x, d, first, first + length);
}

Tensor gather(const Tensor& x, std::int64_t dim, const Tensor& index) {
  check_index_dtype("gather", index);
  const int d = normalize_dim(dim, x.dim(), "gather");
  check_same_rank("gather", "input", x, index);
  check_index_fits("gather", "input", x, index, d, true);
  const IndexWalk walk = walk_along(x.shape(), d);
  Tensor out = empty(index.shape(), x.dtype());
  dispatch(x.dtype(), [&]<class T>(T) {
    run_kernel(
        "gather",
        [walk, d](const Tensor& x, const Tensor& index, Tensor& out) {
          const std::int64_t* indices = index.data<std::int64_t>();
          const T* px = x.data<T>();
          T* po = out.mutable_data<T>();
          kernels::for_each_offset(index.shape(), walk.strides, contiguous_strides(index.shape()),
                                   [&](std::int64_t from, std::int64_t at) {
                                     const std::int64_t i = indices[at];
                                     if (i < 0 || i >= walk.size)
                                       fail_index_value("gather", index, at, i, d, "input", x.shape());
                                     po[at] = px[from + i * walk.stride];
                                   });
        },
        x, index, out);
  });
  return make_op(
      "gather", std::move(out), {x, index},
      [d](BackwardContext& ctx, const Tensor& grad) {
        ctx.add_grad(0, scatter_add(zeros(ctx.input_shape(0), grad.dtype()), d, ctx.input(1), grad));
      },
      kSavesIndexOnly);
}

Tensor scatter_add(const Tensor& x, std::int64_t dim, const Tensor& index, const Tensor& source) {
  check_index_dtype("scatter_add", index);
  kernels::check_same_dtype("scatter_add", x, source);
  const int d = normalize_dim(dim, x.dim(), "scatter_add");
  check_same_rank("scatter_add", "input", x, index);
  check_same_rank("scatter_add", "source", source, index);
  check_index_fits("scatter_add", "input", x, index, d, true);
  check_index_fits("scatter_add", "source", source, index, d, false);
  const IndexWalk walk = walk_along(x.shape(), d);
  Tensor out = kernels::copy(x);
  dispatch(x.dtype(), [&]<class T>(T) {
    run_kernel(
        "scatter_add",
        [walk, d](const Tensor& index, const Tensor& source, Tensor& out) {
          const std::int64_t* indices = index.data<std::int64_t>();
          const T* ps = source.data<T>();
          T* po = out.mutable_data<T>();
          std::int64_t at = 0;  // index is contiguous and visited in row-major order
          kernels::for_each_offset(index.shape(), walk.strides, contiguous_strides(source.shape()),
                                   [&](std::int64_t to, std::int64_t from) {
                                     const std::int64_t i = indices[at];
                                     if (i < 0 || i >= walk.size)
                                       fail_index_value("scatter_add", index, at, i, d, "input", out.shape());
                                     T& target = po[to + i * walk.stride];
                                     target = static_cast<T>(target + ps[from]);
                                     ++at;
                                   });
        },
        index, source, out);
  });
  return make_op(
      "scatter_add", std::move(out), {x, index, source},
      [d](BackwardContext& ctx, const Tensor& grad) {
        ctx.add_grad(0, grad);
        if (ctx.needs_grad(2)) ctx.add_grad(2, pad_to(gather(grad, d, ctx.input(1)), ctx.input_shape(2)));
      },
      kSavesIndexOnly);
}

Tensor index_select(const Tensor& x, std::int64_t dim, const Tensor& index) {
  check_index_vector("index_select", x, index);
  const int d = normalize_dim(dim, x.dim(), "index_select");
  return make_op(
      "index_select", select_entries("index_select", x, d, index, "input"), {x, index},
      [d](BackwardContext& ctx, const Tensor& grad) {
        ctx.add_grad(0, index_add(zeros(ctx.input_shape(0), grad.dtype()), d, ctx.input(1), grad));
      },
      kSavesIndexOnly);
}

Tensor index_add(const Tensor& x, std::int64_t dim, const Tensor& index, const Tensor& source, double alpha) {
  check_index_vector("index_add", x, index);
  kernels::check_same_dtype("index_add", x, source);
  const int d = normalize_dim(dim, x.dim(), "index_add");
  Shape expected = x.shape();
  if (expected.size() > 0) expected[d] = index.numel();
  if (!(source.shape() == expected))
    fail("index_add: source shape {} does not fit input shape {} with {} indices along dimension {} (expected {})",
         source.shape(), x.shape(), index.numel(), d, expected);
  if (!is_floating_point(x.dtype()) && alpha != std::trunc(alpha))
    fail("index_add: alpha {} must be an integer when the input is {} (shape {})", alpha, dtype_name(x.dtype()),
         x.shape());
  Tensor out = kernels::copy(x);
  const kernels::Lines lines = kernels::lines_along(x.shape(), d);
  dispatch(x.dtype(), [&]<class T>(T) {
    run_kernel(
        "index_add",
        [d, alpha, lines](const Tensor& index, const Tensor& source, Tensor& out) {
          const std::int64_t* indices = checked_indices("index_add", index, d, "input", out.shape());
          const T* ps = source.data<T>();
          T* po = out.mutable_data<T>();
          const T factor = static_cast<T>(alpha);
          for_each_indexed_run(lines, indices, index.numel(), [&](std::int64_t whole, std::int64_t part) {
            for (std::int64_t i = 0; i < lines.inner; ++i)
              po[whole + i] = static_cast<T>(po[whole + i] + factor * ps[part + i]);
          });
        },
        index, source, out);
  });
  return make_op(
      "index_add", std::move(out), {x, index, source},
      [d, alpha](BackwardContext& ctx, const Tensor& grad) {
        ctx.add_grad(0, grad);
        if (!ctx.needs_grad(2)) return;
        const Tensor picked = index_select(grad, d, ctx.input(1));
        ctx.add_grad(2, alpha == 1.0 ? picked : picked * alpha);
      },
      kSavesIndexOnly);
}

Tensor embedding(const Tensor& indices, const Tensor& weight, std::optional<std::int64_t> padding_idx) {
  check_index_dtype("embedding", indices);
  if (weight.dim() != 2)
    fail("embedding: weight must be 2-D [num_embeddings, embedding_dim], got shape {}", weight.shape());
  const std::int64_t rows = weight.shape()[0];
  if (padding_idx && (*padding_idx < -rows || *padding_idx >= rows))
    fail("embedding: padding_idx {} is out of range for {} embeddings (weight shape {}; expected [{}, {}])",
         *padding_idx, rows, weight.shape(), -rows, rows - 1);
  const std::int64_t padding = !padding_idx ? -1 : (*padding_idx < 0 ? *padding_idx + rows : *padding_idx);
  Shape shape = indices.shape();
  shape.push_back(weight.shape()[1]);
  Tensor out = kernels::view_of(select_entries("embedding", weight, 0, indices, "weight"), shape);
  const Tensor flat = kernels::view_of(indices, {indices.numel()});
  return make_op(
      "embedding", std::move(out), {weight, flat},
      [padding](BackwardContext& ctx, const Tensor& grad) {
        const Shape& weight_shape = ctx.input_shape(0);
        const Tensor& flat = ctx.input(1);
        Tensor rows = reshape(grad, {flat.numel(), weight_shape[1]});
        // The padding row is a fixed vector (often zeros): no gradient reaches it.
        if (padding >= 0) rows = masked_fill(rows, unsqueeze(flat == padding, 1), 0.0);
        ctx.add_grad(0, index_add(zeros(weight_shape, grad.dtype()), 0, flat, rows));
      },
      kSavesIndexOnly);
}

Tensor Tensor::operator[](std::int64_t i) const { return ag::index(*this, i); }
Tensor Tensor::slice(std::int64_t dim, std::int64_t start, std::int64_t end, std::int64_t step) const {
  return ag::slice(*this, dim, start, end, step);
}
Tensor Tensor::narrow(std::int64_t dim, std::int64_t start, std::int64_t length) const {
  return ag::narrow(*this, dim, start, length);
}
Tensor Tensor::gather(std::int64_t dim, const Tensor& index) const { return ag::gather(*this, dim, index); }
Tensor Tensor::scatter_add(std::int64_t dim, const Tensor& index, const Tensor& source) const {
  return ag::scatter_add(*this, dim, index, source);
}
Tensor Tensor::index_select(std::int64_t dim, const Tensor& index) const { return ag::index_select(*this, dim, index); }
Tensor Tensor::index_add(std::int64_t dim, const Tensor& index, const Tensor& source, double alpha) const {
  return ag::index_add(*this, dim, index, source, alpha);
}

}  // namespace ag
