#pragma once

#include <autograd/detail/options_arg.hpp>
#include <autograd/dtype.hpp>

namespace ag {

// How a new tensor is made, with chainable setters as in LibTorch: ag::dtype(ag::kFloat64).requires_grad(true).
class TensorOptions {
 public:
  TensorOptions() = default;
  TensorOptions(DType dtype) : dtype_(dtype) {}  // NOLINT: implicit, so ag::zeros({2}, ag::kFloat64) reads well

  // The default dtype is the one set when the options are made (ag::set_default_dtype).
  AG_ARG(DType, dtype) = default_dtype();
  AG_ARG(bool, requires_grad) = false;
};

inline TensorOptions dtype(DType dtype) { return TensorOptions(dtype); }
inline TensorOptions requires_grad(bool requires_grad = true) { return TensorOptions().requires_grad(requires_grad); }

}  // namespace ag
