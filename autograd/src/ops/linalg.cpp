#include <autograd/creation.hpp>
#include <autograd/function.hpp>
#include <autograd/ops/elementwise.hpp>
#include <autograd/ops/linalg.hpp>
#include <autograd/ops/reduction.hpp>
#include <autograd/ops/shape_ops.hpp>

#include "../kernels.hpp"

#include <algorithm>

namespace ag {

namespace {

// The matrix shapes of one product: `batch` independent [m, k] · [k, n] products.
struct Product {
  std::int64_t batch, m, k, n;
};

// out[batch, rows, cols] = op(x) · op(y) + beta · out batch by batch (beta 0: out is only written).
void gemm_into(const Tensor& x, bool transpose_x, const Tensor& y, bool transpose_y, Tensor& out, std::int64_t batch,
               std::int64_t rows, std::int64_t cols, std::int64_t inner, double beta) {
  dispatch_floating(x.dtype(), "matmul", [&]<class T>(T) {
    run_kernel(
        "matmul",
        [transpose_x, transpose_y, batch, rows, cols, inner, beta](const Tensor& x, const Tensor& y, Tensor& out) {
          const T* px = x.data<T>();
          const T* py = y.data<T>();
          T* po = out.mutable_data<T>();
          for (std::int64_t i = 0; i < batch; ++i)
            kernels::gemm(transpose_x, transpose_y, rows, cols, inner, px + i * rows * inner, py + i * inner * cols,
                          po + i * rows * cols, static_cast<T>(beta));
        },
        x, y, out);
  });
}

// out[batch, rows, cols] = op(x) · op(y) batch by batch.
Tensor batched_gemm(const Tensor& x, bool transpose_x, const Tensor& y, bool transpose_y, const Shape& out_shape,
                    std::int64_t batch, std::int64_t rows, std::int64_t cols, std::int64_t inner) {
  Tensor out = empty(out_shape, x.dtype());
  if (out.numel() == 0) return out;
  if (inner == 0) return zeros(out_shape, x.dtype());
  gemm_into(x, transpose_x, y, transpose_y, out, batch, rows, cols, inner, 0.0);
  return out;
}

// A backward's product op(x) · op(y) as input `index`'s gradient: added by the GEMM (beta = 1) into the gradient
// summed so far where the engine allows it (a weight used twice, or gradients accumulated over steps), which saves a
// pass over it and an allocation; passed to add_grad otherwise.
void add_product_grad(BackwardContext& ctx, std::size_t index, const Tensor& x, bool transpose_x, const Tensor& y,
                      bool transpose_y, const Shape& shape, std::int64_t batch, std::int64_t rows, std::int64_t cols,
                      std::int64_t inner) {
  Tensor sum = ctx.accumulation_target(index);
  if (!sum.defined()) {
    ctx.add_grad(index, batched_gemm(x, transpose_x, y, transpose_y, shape, batch, rows, cols, inner));
  } else if (sum.numel() != 0 && inner != 0) {  // an empty product adds nothing
    gemm_into(x, transpose_x, y, transpose_y, sum, batch, rows, cols, inner, 1.0);
  }
}

// a [batch..., m, k] · b [batch..., k, n] with equal batch dimensions.
Tensor batched_matmul(const Tensor& a, const Tensor& b) {
  const int nd = a.dim();
  const Product p{a.numel() / std::max<std::int64_t>(1, a.shape()[nd - 2] * a.shape()[nd - 1]), a.shape()[nd - 2],
                  a.shape()[nd - 1], b.shape()[nd - 1]};
  Shape out_shape = a.shape();
  out_shape[nd - 1] = p.n;
  Tensor out = batched_gemm(a, false, b, false, out_shape, p.batch, p.m, p.n, p.k);
  return make_op(
      "matmul", std::move(out), {a, b},
      [p](BackwardContext& ctx, const Tensor& grad) {
        const Tensor& a = ctx.input(0);
        const Tensor& b = ctx.input(1);
        // da = g · bᵀ and db = aᵀ · g, with the transposes left to the BLAS, or recorded under create_graph.
        if (ctx.create_graph()) {
          if (ctx.needs_grad(0)) ctx.add_grad(0, matmul(grad, b.transpose(-1, -2)));
          if (ctx.needs_grad(1)) ctx.add_grad(1, matmul(a.transpose(-1, -2), grad));
          return;
        }
        if (ctx.needs_grad(0)) add_product_grad(ctx, 0, grad, false, b, true, a.shape(), p.batch, p.m, p.k, p.n);
        if (ctx.needs_grad(1)) add_product_grad(ctx, 1, a, true, grad, false, b.shape(), p.batch, p.k, p.n, p.m);
      },
      kSavesInputsOnly);
}

std::vector<std::int64_t> dims_of(const Shape& shape) { return {shape.begin(), shape.end()}; }

}  // namespace

Tensor dot(const Tensor& a, const Tensor& b) {
  if (a.dim() != 1 || b.dim() != 1 || a.numel() != b.numel())
    fail("dot: expects two 1-D tensors of equal length, got shapes {} and {}", a.shape(), b.shape());
  kernels::check_same_dtype("dot", a, b);
  Tensor out = empty({}, a.dtype());
  dispatch_floating(a.dtype(), "dot", [&]<class T>(T) {
    run_kernel(
        "dot",
        [](const Tensor& a, const Tensor& b, Tensor& out) {
          const T* pa = a.data<T>();
          const T* pb = b.data<T>();
          T total = 0;
          for (std::int64_t i = 0, n = a.numel(); i < n; ++i) total += pa[i] * pb[i];
          *out.mutable_data<T>() = total;
        },
        a, b, out);
  });
  return make_op(
      "dot", std::move(out), {a, b},
      [](BackwardContext& ctx, const Tensor& grad) {
        if (ctx.needs_grad(0)) ctx.add_grad(0, grad * ctx.input(1));
        if (ctx.needs_grad(1)) ctx.add_grad(1, grad * ctx.input(0));
      },
      kSavesInputsOnly);
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  if (a.dim() == 0 || b.dim() == 0)
    fail("matmul: both operands need at least 1 dimension, got shapes {} and {}", a.shape(), b.shape());
  kernels::check_same_dtype("matmul", a, b);
  // Checked before a 1-D operand gains its dimension, so the error shows the shapes as given.
  const std::int64_t k = a.shape().back();
  const std::int64_t b_rows = b.shape()[b.dim() == 1 ? 0 : b.dim() - 2];
  if (k != b_rows) fail("matmul: shapes {} and {} cannot be multiplied ({} != {})", a.shape(), b.shape(), k, b_rows);
  if (a.dim() == 1 && b.dim() == 1) return dot(a, b);
  if (a.dim() == 1) return squeeze(matmul(unsqueeze(a, 0), b), -2);
  if (b.dim() == 1) return squeeze(matmul(a, unsqueeze(b, -1)), -1);

  if (b.dim() == 2 && a.dim() > 2) {  // stacked rows times one matrix: a single product
    Shape out_shape = a.shape();
    out_shape[a.dim() - 1] = b.shape()[1];
    return reshape(matmul(reshape(a, {-1, k}), b), dims_of(out_shape));
  }

  // Broadcast the batch dimensions, then multiply matrix by matrix.
  Shape a_batch = a.shape();
  Shape b_batch = b.shape();
  for (int i = 0; i < 2; ++i) a_batch.erase(a_batch.size() - 1), b_batch.erase(b_batch.size() - 1);
  for (int i = 1; i <= std::min(a_batch.size(), b_batch.size()); ++i) {
    const std::int64_t da = a_batch[a_batch.size() - i];
    const std::int64_t db = b_batch[b_batch.size() - i];
    if (da != db && da != 1 && db != 1)
      fail("matmul: the batch dimensions of shapes {} and {} cannot be broadcast together ({} vs {})", a.shape(),
           b.shape(), da, db);
  }
  const Shape batch = broadcast_shapes(a_batch, b_batch, "matmul");
  auto with_batch = [&batch](const Tensor& t) {
    std::vector<std::int64_t> dims = dims_of(batch);
    dims.push_back(t.shape()[t.dim() - 2]);
    dims.push_back(t.shape()[t.dim() - 1]);
    return t.dim() == static_cast<int>(dims.size()) && std::equal(dims.begin(), dims.end(), t.shape().begin())
               ? t
               : expand(t, dims);
  };
  return batched_matmul(with_batch(a), with_batch(b));
}

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  if (weight.dim() != 2 || input.dim() == 0 || input.shape().back() != weight.shape()[1])
    fail("linear: input shape {} does not fit weight shape {} (expected a weight [out, in] and an input [..., in])",
         input.shape(), weight.shape());
  kernels::check_same_dtype("linear", input, weight);
  if (bias.defined()) {
    kernels::check_same_dtype("linear", input, bias);
    if (!(bias.shape() == Shape{weight.shape()[0]}))
      fail("linear: bias shape {} does not fit weight shape {} (expected a bias [{}])", bias.shape(), weight.shape(),
           weight.shape()[0]);
  }
  Shape rows = input.shape();  // counted from the leading dims, so that in_features = 0 still has its rows
  rows.erase(rows.size() - 1);
  const Product p{1, rows.numel(), weight.shape()[1], weight.shape()[0]};
  Shape out_shape = input.shape();
  out_shape[out_shape.size() - 1] = p.n;
  Tensor out;
  if (bias.defined()) {
    // The product adds itself to the bias (beta = 1): out starts as the bias on every row, which saves a pass over
    // the output.
    out = empty(out_shape, input.dtype());
    dispatch_floating(out.dtype(), "linear", [&]<class T>(T) {
      run_kernel(
          "linear",
          [p](const Tensor& input, const Tensor& weight, const Tensor& bias, Tensor& out) {
            T* po = out.mutable_data<T>();
            const T* pb = bias.data<T>();
            for (std::int64_t row = 0; row < p.m; ++row) std::copy_n(pb, p.n, po + row * p.n);
            kernels::gemm(false, true, p.m, p.n, p.k, input.data<T>(), weight.data<T>(), po, T(1));
          },
          input, weight, bias, out);
    });
  } else {
    out = batched_gemm(input, false, weight, true, out_shape, 1, p.m, p.n, p.k);
  }
  auto backward = [p](BackwardContext& ctx, const Tensor& grad) {
    const Tensor& input = ctx.input(0);
    const Tensor& weight = ctx.input(1);
    // d input = g · W, d weight = gᵀ · input (the rows flattened), d bias = g summed over rows; the products are
    // recorded under create_graph.
    if (ctx.create_graph()) {
      if (ctx.needs_grad(0)) ctx.add_grad(0, matmul(grad, weight));
      if (ctx.needs_grad(1)) ctx.add_grad(1, matmul(grad.reshape({p.m, p.n}).t(), input.reshape({p.m, p.k})));
    } else {
      if (ctx.needs_grad(0)) add_product_grad(ctx, 0, grad, false, weight, false, input.shape(), 1, p.m, p.k, p.n);
      if (ctx.needs_grad(1)) add_product_grad(ctx, 1, grad, true, input, false, weight.shape(), 1, p.n, p.k, p.m);
    }
    if (ctx.inputs_count() == 3 && ctx.needs_grad(2))
      ctx.add_grad(2, sum_to_shape(grad.reshape({p.m, p.n}), Shape{p.n}));
  };
  if (bias.defined())
    return make_op("linear", std::move(out), {input, weight, bias}, backward,
                   SavedValues{.inputs = 0b011, .output = false});
  return make_op("linear", std::move(out), {input, weight}, backward, kSavesInputsOnly);
}

Tensor Tensor::dot(const Tensor& other) const { return ag::dot(*this, other); }
Tensor Tensor::matmul(const Tensor& other) const { return ag::matmul(*this, other); }

}  // namespace ag
