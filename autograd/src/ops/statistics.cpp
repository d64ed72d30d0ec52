#include <autograd/creation.hpp>
#include <autograd/function.hpp>
#include <autograd/grad_mode.hpp>
#include <autograd/ops/arithmetic.hpp>
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
    ctx.add_grad(0, kernels::binary_map("std backward", grad, ctx.output(), [](auto g, auto y) {
                   using T = decltype(g);
                   return y == T(0) ? T(0) : g / (T(2) * y);
                 }));
  });
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
    const Tensor direction =
        kernels::binary_map("norm backward", ctx.input(0), kernels::view_of(ctx.output(), kept), [p](auto v, auto n) {
          using T = decltype(v);
          if (v == T(0) || n == T(0)) return T(0);
          return std::copysign(std::pow(std::abs(v) / n, static_cast<T>(p - 1.0)), v);
        });
    ctx.add_grad(0, direction * kernels::view_of(grad, kept));
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
