// In-place updates, for optimisers, initialisers and tensors outside the graph. They bypass the graph, so they are
// refused on a tensor that requires grad unless grad mode is off (as in PyTorch, where optimisers run under no_grad).
// The version counter is metadata, bumped outside the kernel: a replay writes the values only.

#include <autograd/grad_mode.hpp>
#include <autograd/ops/arithmetic.hpp>
#include <autograd/tensor.hpp>

#include "kernels.hpp"

#include <algorithm>

namespace ag {

namespace {
void check_inplace_allowed(const char* op, const Tensor& target) {
  if (is_grad_enabled() && target.requires_grad())
    fail("{}: in-place update of a tensor that requires grad (shape {}); do it under ag::NoGradGuard", op,
         target.shape());
}

// Called by every in-place op before it writes: a recorded op that saved the old values then refuses to use them.
void bump_version(Tensor& target) {
  if (!target.impl()->storage) detail::fail_values_freed(*target.impl());
  ++target.impl()->storage->version;
}

// The source as the target's dtype, broadcast to the target's shape: an in-place op cannot change either.
Tensor fitted_source(const char* op, const Tensor& target, const Tensor& source) {
  if (source.dtype() == target.dtype() && source.shape() == target.shape()) return source;
  bool fits = source.dim() <= target.dim();
  for (int d = 1; fits && d <= source.dim(); ++d) {
    const std::int64_t size = source.shape()[source.dim() - d];
    fits = size == 1 || size == target.shape()[target.dim() - d];
  }
  if (!fits)
    fail("{}: the source has shape {} but the tensor being updated has shape {}", op, source.shape(), target.shape());
  if (source.dtype() == target.dtype()) return source;
  if (kernels::common_dtype(op, target, source) != target.dtype())
    fail("{}: the result would be {}, which cannot be stored in the {} tensor being updated", op,
         dtype_name(kernels::common_dtype(op, target, source)), dtype_name(target.dtype()));
  NoGradGuard no_grad;
  return source.to(target.dtype());
}

// target[i] = f(target[i], source[i]) with the source broadcast to the target's shape.
template <kernels::Types kTypes, class F>
void update(const char* op, Tensor& target, const Tensor& other, F f) {
  check_inplace_allowed(op, target);
  const Tensor source = fitted_source(op, target, other);
  bump_version(target);
  kernels::dispatch_types<kTypes>(target.dtype(), op, [&]<class T>(T) {
    run_kernel(
        op,
        [f](Tensor& target, const Tensor& source) {
          T* pt = target.mutable_data<T>();
          const T* ps = source.data<T>();
          const std::int64_t n = target.numel();
          if (source.numel() == n) {
            for (std::int64_t i = 0; i < n; ++i) pt[i] = static_cast<T>(f(pt[i], ps[i]));
          } else {
            std::int64_t i = 0;
            kernels::for_each_offset(target.shape(), kernels::broadcast_strides(source.shape(), target.shape()),
                                     kernels::Strides{}, [&](std::int64_t os, std::int64_t) {
                                       pt[i] = static_cast<T>(f(pt[i], ps[os]));
                                       ++i;
                                     });
          }
        },
        target, source);
  });
}
}  // namespace

Tensor& Tensor::fill_(double value) {
  check_inplace_allowed("fill_", *this);
  bump_version(*this);
  dispatch(dtype(), [&]<class T>(T) {
    run_kernel(
        "fill_",
        [fill = static_cast<T>(value)](Tensor& target) { std::fill_n(target.mutable_data<T>(), target.numel(), fill); },
        *this);
  });
  return *this;
}

Tensor& Tensor::copy_(const Tensor& source) {
  update<kernels::Types::All>("copy_", *this, source, [](auto, auto s) { return s; });
  return *this;
}

Tensor& Tensor::add_(const Tensor& other, double alpha) {
  if (alpha == 1.0) {
    update<kernels::Types::Numeric>("add_", *this, other, [](auto t, auto s) { return t + s; });
  } else {
    update<kernels::Types::Numeric>("add_", *this, other,
                                    [alpha](auto t, auto s) { return t + static_cast<decltype(t)>(alpha) * s; });
  }
  return *this;
}

Tensor& Tensor::sub_(const Tensor& other) {
  update<kernels::Types::Numeric>("sub_", *this, other, [](auto t, auto s) { return t - s; });
  return *this;
}

Tensor& Tensor::mul_(const Tensor& other) {
  update<kernels::Types::Numeric>("mul_", *this, other, [](auto t, auto s) { return t * s; });
  return *this;
}

Tensor& Tensor::div_(const Tensor& other) {
  update<kernels::Types::Floating>("div_", *this, other, [](auto t, auto s) { return t / s; });
  return *this;
}

Tensor& Tensor::mul_(double factor) {
  check_inplace_allowed("mul_", *this);
  bump_version(*this);
  dispatch_numeric(dtype(), "mul_", [&]<class T>(T) {
    run_kernel(
        "mul_",
        [scale = static_cast<T>(factor)](Tensor& target) {
          T* values = target.mutable_data<T>();
          for (std::int64_t i = 0, n = target.numel(); i < n; ++i) values[i] *= scale;
        },
        *this);
  });
  return *this;
}

}  // namespace ag
