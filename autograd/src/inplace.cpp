// In-place updates for optimisers and initialisers. They bypass the graph, so they are refused on a tensor
// that requires grad unless grad mode is off (as in PyTorch, where optimisers run under no_grad).

#include <autograd/grad_mode.hpp>
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

void check_same_shape(const char* op, const Tensor& target, const Tensor& source) {
  kernels::check_same_dtype(op, target, source);
  if (!(target.shape() == source.shape()))
    fail("{}: the source has shape {} but the tensor being updated has shape {}", op, source.shape(), target.shape());
}
}  // namespace

Tensor& Tensor::fill_(double value) {
  check_inplace_allowed("fill_", *this);
  dispatch(dtype(), [&]<class T>(T) { std::fill_n(mutable_data<T>(), numel(), static_cast<T>(value)); });
  return *this;
}

Tensor& Tensor::copy_(const Tensor& source) {
  check_inplace_allowed("copy_", *this);
  check_same_shape("copy_", *this, source);
  dispatch(dtype(), [&]<class T>(T) { std::copy_n(source.data<T>(), numel(), mutable_data<T>()); });
  return *this;
}

Tensor& Tensor::add_(const Tensor& other, double alpha) {
  check_inplace_allowed("add_", *this);
  check_same_shape("add_", *this, other);
  dispatch(dtype(), [&]<class T>(T) {
    T* target = mutable_data<T>();
    const T* source = other.data<T>();
    const T scale = static_cast<T>(alpha);
    const std::int64_t n = numel();
    if (alpha == 1.0) {
      for (std::int64_t i = 0; i < n; ++i) target[i] += source[i];
    } else {
      for (std::int64_t i = 0; i < n; ++i) target[i] += scale * source[i];
    }
  });
  return *this;
}

Tensor& Tensor::mul_(double factor) {
  check_inplace_allowed("mul_", *this);
  dispatch(dtype(), [&]<class T>(T) {
    T* target = mutable_data<T>();
    const T scale = static_cast<T>(factor);
    for (std::int64_t i = 0, n = numel(); i < n; ++i) target[i] *= scale;
  });
  return *this;
}

}  // namespace ag
