#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <autograd/detail/options_arg.hpp>
#include <autograd/dtype.hpp>

namespace ag {

/// How a new tensor is made, with chainable setters as in LibTorch: ag::dtype(ag::kFloat64).requires_grad(true).
class TensorOptions {
 public:
  /// The default dtype, no gradient.
  TensorOptions() = default;
  /// Options of this dtype.
  TensorOptions(DType dtype) : dtype_(dtype) {}  // NOLINT: implicit, so ag::zeros({2}, ag::kFloat64) reads well

  ///@{
  /// The element type: dtype() reads it, dtype(d) returns a copy with it set. The default is the one set when the
  /// options are made (ag::set_default_dtype).
  AG_ARG(DType, dtype) = default_dtype();
  ///@}
  ///@{
  /// Whether the new tensor is a leaf that requires grad: requires_grad() reads it, requires_grad(b) returns a copy
  /// with it set. Only float32 and float64 tensors can require grad: creating an int64 or bool tensor that requires
  /// grad throws ag::Error.
  AG_ARG(bool, requires_grad) = false;
  ///@}
};

/// Options of dtype `dtype`, to chain further setters on: ag::dtype(ag::kFloat64).requires_grad(true).
inline TensorOptions dtype(DType dtype) { return TensorOptions(dtype); }
/// Options of the default dtype that make a leaf requiring grad: ag::zeros({3}, ag::requires_grad()).
inline TensorOptions requires_grad(bool requires_grad = true) { return TensorOptions().requires_grad(requires_grad); }

}  // namespace ag

#pragma GCC visibility pop
