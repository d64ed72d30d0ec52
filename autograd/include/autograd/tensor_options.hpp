#pragma once

#include <autograd/dtype.hpp>

#include <optional>

namespace ag {

// How a new tensor is made, with chainable setters as in LibTorch: ag::dtype(ag::kFloat64).requires_grad(true).
class TensorOptions {
 public:
  TensorOptions() = default;
  TensorOptions(DType dtype) : dtype_(dtype) {}  // NOLINT: implicit, so ag::zeros({2}, ag::kFloat64) reads well

  TensorOptions dtype(DType dtype) const {
    TensorOptions copy = *this;
    copy.dtype_ = dtype;
    return copy;
  }
  TensorOptions requires_grad(bool requires_grad) const {
    TensorOptions copy = *this;
    copy.requires_grad_ = requires_grad;
    return copy;
  }
  DType dtype() const { return dtype_.value_or(default_dtype()); }
  bool requires_grad() const { return requires_grad_; }

 private:
  std::optional<DType> dtype_;
  bool requires_grad_ = false;
};

inline TensorOptions dtype(DType dtype) { return TensorOptions().dtype(dtype); }
inline TensorOptions requires_grad(bool requires_grad = true) { return TensorOptions().requires_grad(requires_grad); }

}  // namespace ag
