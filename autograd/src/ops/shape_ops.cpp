#include <autograd/creation.hpp>
#include <autograd/function.hpp>
#include <autograd/ops/indexing.hpp>
#include <autograd/ops/reduction.hpp>
#include <autograd/ops/shape_ops.hpp>

#include "../kernels.hpp"

#include <algorithm>
#include <cstring>

namespace ag {

namespace {

// Reshape recorded under the caller's name (reshape, view, squeeze, unsqueeze, flatten); its gradient is the
// reshape back, itself recorded under create_graph.
Tensor reshaped(const char* op, const Tensor& x, const Shape& shape) {
  return make_op(
      op, kernels::view_of(x, shape), {x},
      [](BackwardContext& ctx, const Tensor& grad) { ctx.add_grad(0, reshaped("reshape", grad, ctx.input_shape(0))); },
      kSavesShapesOnly);
}

Shape inferred_shape(const char* op, const Tensor& x, const std::vector<std::int64_t>& dims) {
  int inferred = -1;
  std::int64_t known = 1;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == -1) {
      if (inferred >= 0) fail("{}: only one dimension can be -1, got shape [{}]", op, fmt::join(dims, ", "));
      inferred = static_cast<int>(i);
    } else if (dims[i] < 0) {
      fail("{}: invalid size {} in shape [{}]", op, dims[i], fmt::join(dims, ", "));
    } else if (__builtin_mul_overflow(known, dims[i], &known)) {
      known = 0;  // more elements than any tensor has: a -1 cannot be inferred, and without one numel() says so
    }
  }
  std::vector<std::int64_t> resolved = dims;
  if (inferred >= 0) {
    if (known == 0 || x.numel() % known != 0)
      fail("{}: cannot reshape a tensor of shape {} ({} elements) into [{}]", op, x.shape(), x.numel(),
           fmt::join(dims, ", "));
    resolved[inferred] = x.numel() / known;
  }
  Shape shape{std::span<const std::int64_t>(resolved)};
  if (shape.numel() != x.numel())
    fail("{}: cannot reshape a tensor of shape {} ({} elements) into {} ({} elements)", op, x.shape(), x.numel(), shape,
         shape.numel());
  return shape;
}

// Copies x with its dimensions reordered: out dimension i is x's dimension order[i].
Tensor permuted_copy(const Tensor& x, const std::vector<int>& order) {
  Shape shape;
  kernels::Strides strides{};
  const auto source_strides = contiguous_strides(x.shape());
  for (std::size_t i = 0; i < order.size(); ++i) {
    shape.push_back(x.shape()[order[i]]);
    strides[i] = source_strides[order[i]];
  }
  Tensor out = empty(shape, x.dtype());
  dispatch(x.dtype(), [&]<class T>(T) {
    run_kernel(
        "permute",
        [strides](const Tensor& x, Tensor& out) {
          const T* px = x.data<T>();
          T* po = out.mutable_data<T>();
          std::int64_t i = 0;
          kernels::for_each_offset(out.shape(), strides, kernels::Strides{},
                                   [&](std::int64_t o, std::int64_t) { po[i++] = px[o]; });
        },
        x, out);
  });
  return out;
}

// x with its dimensions reordered (out dimension i is x's dimension order[i]); its gradient is the inverse
// reordering, recorded the same way.
Tensor permuted(const Tensor& x, const std::vector<int>& order) {
  std::vector<int> inverse(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) inverse[order[i]] = static_cast<int>(i);
  return make_op(
      "permute", permuted_copy(x, order), {x},
      [inverse = std::move(inverse)](BackwardContext& ctx, const Tensor& grad) {
        ctx.add_grad(0, permuted(grad, inverse));
      },
      kSavesShapesOnly);
}

// Copies `part` into `whole` at [offset, offset + part.shape[dim]) along dim.
void copy_along(const Tensor& part, Tensor& whole, int dim, std::int64_t offset) {
  run_kernel(
      "concat",
      [dim, offset](const Tensor& part, Tensor& whole) {
        const kernels::Lines blocks = kernels::lines_along(whole.shape(), dim);
        const std::int64_t part_row = part.shape()[dim] * blocks.inner;
        const std::int64_t whole_row = whole.shape()[dim] * blocks.inner;
        const std::size_t bytes = static_cast<std::size_t>(part_row) * dtype_size(whole.dtype());
        const std::size_t element = dtype_size(whole.dtype());
        const auto* part_bytes =
            reinterpret_cast<const std::byte*>(part.impl()->storage->data()) + part.impl()->offset * element;
        auto* whole_bytes =
            reinterpret_cast<std::byte*>(whole.impl()->storage->data()) + whole.impl()->offset * element;
        for (std::int64_t o = 0; o < blocks.outer; ++o)
          std::memcpy(whole_bytes + (o * whole_row + offset * blocks.inner) * element,
                      part_bytes + o * part_row * element, bytes);
      },
      part, whole);
}

}  // namespace

Tensor reshape(const Tensor& x, const std::vector<std::int64_t>& shape) {
  return reshaped("reshape", x, inferred_shape("reshape", x, shape));
}

Tensor view(const Tensor& x, const std::vector<std::int64_t>& shape) {
  return reshaped("view", x, inferred_shape("view", x, shape));
}

Tensor flatten(const Tensor& x) { return reshaped("flatten", x, Shape{x.numel()}); }

Tensor permute(const Tensor& x, const std::vector<std::int64_t>& dims) {
  if (static_cast<int>(dims.size()) != x.dim())
    fail("permute: {} dims given for a tensor of shape {} ({} dimensions)", dims.size(), x.shape(), x.dim());
  std::vector<int> order;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    const int d = normalize_dim(dims[i], x.dim(), "permute");
    if (std::find(order.begin(), order.end(), d) != order.end())
      fail("permute: dim {} appears twice in [{}]", d, fmt::join(dims, ", "));
    order.push_back(d);
  }
  return permuted(x, order);
}

Tensor transpose(const Tensor& x, std::int64_t dim0, std::int64_t dim1) {
  const int d0 = normalize_dim(dim0, x.dim(), "transpose");
  const int d1 = normalize_dim(dim1, x.dim(), "transpose");
  std::vector<std::int64_t> dims(static_cast<std::size_t>(x.dim()));
  for (int d = 0; d < x.dim(); ++d) dims[d] = d;
  if (x.dim() > 0) std::swap(dims[d0], dims[d1]);  // a 0-d tensor accepts dim 0 and -1 but has nothing to swap
  return permute(x, dims);
}

Tensor squeeze(const Tensor& x) {
  Shape shape;
  for (auto d : x.shape())
    if (d != 1) shape.push_back(d);
  return reshaped("squeeze", x, shape);
}

Tensor squeeze(const Tensor& x, std::int64_t dim) {
  if (x.dim() == 0) {
    normalize_dim(dim, 0, "squeeze");
    return reshaped("squeeze", x, x.shape());
  }
  const int d = normalize_dim(dim, x.dim(), "squeeze");
  Shape shape = x.shape();
  if (shape[d] == 1) shape.erase(d);  // a dimension of another size stays, as in PyTorch
  return reshaped("squeeze", x, shape);
}

Tensor unsqueeze(const Tensor& x, std::int64_t dim) {
  const int d = normalize_new_dim(dim, x.dim(), "unsqueeze");
  Shape shape = x.shape();
  shape.insert(d, 1);
  return reshaped("unsqueeze", x, shape);
}

Tensor expand(const Tensor& x, const std::vector<std::int64_t>& sizes) {
  const int lead = static_cast<int>(sizes.size()) - x.dim();
  if (lead < 0)
    fail("expand: the target [{}] has fewer dimensions than the tensor's shape {}", fmt::join(sizes, ", "), x.shape());
  Shape shape;
  for (int i = 0; i < static_cast<int>(sizes.size()); ++i) {
    const std::int64_t own = i >= lead ? x.shape()[i - lead] : 1;
    const std::int64_t size = sizes[i] == -1 && i >= lead ? own : sizes[i];
    if (size < 0 || (own != 1 && own != size))
      fail("expand: cannot expand shape {} to [{}] (dimension {}: {} can only stay or grow from 1)", x.shape(),
           fmt::join(sizes, ", "), i, own);
    shape.push_back(size);
  }
  return make_op(
      "expand", kernels::broadcast_to(x, shape), {x},
      [](BackwardContext& ctx, const Tensor& grad) {
        // Equal shapes pass the gradient on as it is: expand and sum_to_shape, each the other's gradient, stop there.
        const Shape& shape = ctx.input_shape(0);
        ctx.add_grad(0, grad.shape() == shape ? grad : sum_to_shape(grad, shape));
      },
      kSavesShapesOnly);
}

Tensor concat(const std::vector<Tensor>& tensors, std::int64_t dim) {
  if (tensors.empty()) fail("concat: needs at least one tensor");
  const Tensor& first = tensors.front();
  if (first.dim() == 0) fail("concat: 0-d tensors cannot be concatenated (use stack)");
  const int d = normalize_dim(dim, first.dim(), "concat");
  Shape shape = first.shape();
  shape[d] = 0;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    kernels::check_same_dtype("concat", first, t);
    bool compatible = t.dim() == first.dim();
    for (int k = 0; compatible && k < t.dim(); ++k) compatible = k == d || t.shape()[k] == first.shape()[k];
    if (!compatible)
      fail("concat: tensor {} has shape {}, which does not match shape {} of tensor 0 outside dim {}", i, t.shape(),
           first.shape(), d);
    shape[d] += t.shape()[d];
  }
  Tensor out = empty(shape, first.dtype());
  std::int64_t offset = 0;
  for (const Tensor& t : tensors) {
    copy_along(t, out, d, offset);
    offset += t.shape()[d];
  }
  return make_op(
      "concat", std::move(out), std::span<const Tensor>(tensors),
      [d](BackwardContext& ctx, const Tensor& grad) {
        std::int64_t start = 0;
        for (std::size_t i = 0; i < ctx.inputs_count(); ++i) {
          const std::int64_t length = ctx.input_shape(i)[d];
          if (ctx.needs_grad(i)) ctx.add_grad(i, slice(grad, d, start, start + length));
          start += length;
        }
      },
      kSavesShapesOnly);
}

Tensor stack(const std::vector<Tensor>& tensors, std::int64_t dim) {
  if (tensors.empty()) fail("stack: needs at least one tensor");
  const int d = normalize_new_dim(dim, tensors.front().dim(), "stack");
  std::vector<Tensor> expanded;
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    if (!(tensors[i].shape() == tensors.front().shape()))
      fail("stack: tensor {} has shape {} but tensor 0 has shape {}; all must match", i, tensors[i].shape(),
           tensors.front().shape());
    expanded.push_back(unsqueeze(tensors[i], d));
  }
  return concat(expanded, d);
}

Tensor Tensor::reshape(const std::vector<std::int64_t>& shape) const { return ag::reshape(*this, shape); }
Tensor Tensor::view(const std::vector<std::int64_t>& shape) const { return ag::view(*this, shape); }
Tensor Tensor::flatten() const { return ag::flatten(*this); }
Tensor Tensor::transpose(std::int64_t dim0, std::int64_t dim1) const { return ag::transpose(*this, dim0, dim1); }
Tensor Tensor::t() const {
  if (dim() > 2) fail("t: expects a tensor with at most 2 dimensions, got shape {}", shape());
  return dim() < 2 ? *this : ag::transpose(*this, 0, 1);
}
Tensor Tensor::permute(const std::vector<std::int64_t>& dims) const { return ag::permute(*this, dims); }
Tensor Tensor::squeeze() const { return ag::squeeze(*this); }
Tensor Tensor::squeeze(std::int64_t dim) const { return ag::squeeze(*this, dim); }
Tensor Tensor::unsqueeze(std::int64_t dim) const { return ag::unsqueeze(*this, dim); }
Tensor Tensor::expand(const std::vector<std::int64_t>& shape) const { return ag::expand(*this, shape); }

}  // namespace ag
