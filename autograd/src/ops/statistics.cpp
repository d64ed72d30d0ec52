#include <autograd/creation.hpp>
#include <autograd/function.hpp>
#include <autograd/grad_mode.hpp>
#include <autograd/ops/arithmetic.hpp>
#include <autograd/ops/comparison.hpp>
#include <autograd/ops/math.hpp>
#include <autograd/ops/max_min.hpp>
#include <autograd/ops/reduction.hpp>
#include <autograd/ops/statistics.hpp>

#include "../kernels.hpp"
#include "reduced_dims.hpp"

#include <algorithm>
#include <cmath>

namespace ag {

using reductions::Reduced;
using reductions::reduced_dims;

namespace {

Tensor variance(const char* op, const Tensor& x, const std::vector<std::int64_t>& dims, double correction,
                bool keepdim) {
  reductions::check_floating(op, x);
  const Reduced r = reduced_dims(op, x, dims, keepdim);
  reductions::check_groups_nonempty(op, x, r, "variance");
  const Tensor centered = x - mean(x, dims, true);
  // No degrees of freedom left divides by 0 (inf or NaN) rather than throwing, as in PyTorch.
  const double divisor = std::max(0.0, static_cast<double>(r.group_size) - correction);
  return sum(centered * centered, dims, keepdim) / divisor;
}

// std from the variance: sqrt with gradient 0 where the result is 0, as PyTorch takes it. sqrt's own inf there, times
// the 0 that the centred values contribute, would make every gradient of a constant tensor's std NaN.
Tensor std_from_variance(const Tensor& variances) {
  Tensor out;
  {
    NoGradGuard no_grad;
    out = sqrt(variances);
  }
  return make_op("std", std::move(out), {variances}, [](BackwardContext& ctx, const Tensor& grad) {
    const Tensor y = ctx.output();
    if (ctx.create_graph()) {
      // Where y is 0 it divides by 1 instead and the term is dropped, so no derivative of it meets 0 · inf either.
      const Tensor zero = y == 0.0;
      ctx.add_grad(0, where(zero, 0.0, grad) / (2.0 * where(zero, 1.0, y)));
      return;
    }
    ctx.add_grad(0, kernels::binary_map("std backward", grad, y, [](auto g, auto y) {
                   using T = decltype(g);
                   return y == T(0) ? T(0) : g / (T(2) * y);
                 }));
  });
}

// finite_norm's sign(x) (|x| / norm)ᵖ⁻¹ from recorded ops, for create_graph. The signs and the zero terms (x = 0, or
// a zero norm) are constant where the derivative exists; the zeros become 1 before any division or power, so that no
// derivative of a dropped term meets 0 · inf.
Tensor differentiable_norm_direction(const Tensor& x, const Tensor& norms, double p) {
  const Tensor signs = kernels::binary_map("norm backward", x, norms, [](auto v, auto n) {
    using T = decltype(v);
    return v == T(0) || n == T(0) ? T(0) : std::copysign(T(1), v);
  });
  const Tensor dropped = signs == 0.0;
  const Tensor ratios = where(dropped, 1.0, abs(x)) / where(norms == 0.0, 1.0, norms);
  return signs * pow(ratios, p - 1.0);
}

// (Σ|x|ᵖ)^(1/p) for finite p > 0. Its own backward, d = g sign(x) (|x| / norm)ᵖ⁻¹, is 0 at x = 0 and where the
// norm is 0, where the chain rule through pow and abs would give 0 · inf = NaN.
Tensor finite_norm(const Tensor& x, double p, const std::vector<std::int64_t>& dims, bool keepdim, const Shape& kept) {
  Tensor out;
  {
    NoGradGuard no_grad;
    out = pow(sum(pow(abs(x), p), dims, keepdim), 1.0 / p);
  }
  return make_op("norm", std::move(out), {x}, [p, kept](BackwardContext& ctx, const Tensor& grad) {
    const Tensor& x = ctx.input(0);
    const Tensor norms = reductions::with_kept_dims(ctx.output(), kept);
    const Tensor direction = ctx.create_graph()
                                 ? differentiable_norm_direction(x, norms, p)
                                 : kernels::binary_map("norm backward", x, norms, [p](auto v, auto n) {
                                     using T = decltype(v);
                                     if (v == T(0) || n == T(0)) return T(0);
                                     return std::copysign(std::pow(std::abs(v) / n, static_cast<T>(p - 1.0)), v);
                                   });
    ctx.add_grad(0, direction * reductions::with_kept_dims(grad, kept));
  });
}

}  // namespace

Tensor var(const Tensor& x, const std::vector<std::int64_t>& dims, double correction, bool keepdim) {
  return variance("var", x, dims, correction, keepdim);
}

Tensor std(const Tensor& x, const std::vector<std::int64_t>& dims, double correction, bool keepdim) {
  return std_from_variance(variance("std", x, dims, correction, keepdim));
}

Tensor norm(const Tensor& x, double p, const std::vector<std::int64_t>& dims, bool keepdim) {
  reductions::check_floating("norm", x);
  if (!(p > 0.0)) fail("norm: p must be positive or inf, got {} (input shape {})", p, x.shape());
  const Reduced r = reduced_dims("norm", x, dims, keepdim);
  if (std::isinf(p)) {
    reductions::check_groups_nonempty("norm", x, r, "inf norm (largest |x|)");
    return amax(abs(x), dims, keepdim);
  }
  return finite_norm(x, p, dims, keepdim, r.kept);
}

Tensor logsumexp(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim) {
  reductions::check_floating("logsumexp", x);
  const Reduced r = reduced_dims("logsumexp", x, dims, keepdim);
  // Shifting by the maximum keeps exp from overflowing. The shift cancels in the value, so it is a constant, outside
  // the graph; an infinite maximum, or none (an empty group, whose logsumexp is -inf), shifts by 0.
  Tensor shift;
  {
    NoGradGuard no_grad;
    shift = r.group_size == 0 ? zeros(r.kept, x.dtype())
                              : kernels::unary_map("logsumexp", amax(x, dims, true),
                                                   [](auto m) { return std::isinf(m) ? decltype(m)(0) : m; });
  }
  return log(sum(exp(x - shift), dims, keepdim)) + kernels::view_of(shift, r.result);
}

Tensor Tensor::var(const std::vector<std::int64_t>& dims, double correction, bool keepdim) const {
  return ag::var(*this, dims, correction, keepdim);
}
Tensor Tensor::std(const std::vector<std::int64_t>& dims, double correction, bool keepdim) const {
  return ag::std(*this, dims, correction, keepdim);
}
Tensor Tensor::norm(double p, const std::vector<std::int64_t>& dims, bool keepdim) const {
  return ag::norm(*this, p, dims, keepdim);
}
Tensor Tensor::logsumexp(const std::vector<std::int64_t>& dims, bool keepdim) const {
  return ag::logsumexp(*this, dims, keepdim);
}

}  // namespace ag
