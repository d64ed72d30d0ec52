#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Checks the engine's gradients against central finite differences, as torch.autograd.gradcheck.

#include <autograd/tensor.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ag {

/// Step and tolerances of gradcheck and gradgradcheck.
struct GradcheckOptions {
  double eps = 1e-6;       ///< Finite-difference step.
  double atol = 1e-5;      ///< An element passes when |analytic - numeric| <= atol + rtol * |numeric|.
  double rtol = 1e-3;      ///< Relative tolerance, as in atol's formula.
  std::uint64_t seed = 0;  ///< For the random projection of non-scalar outputs.
};

/// What gradcheck found: whether every element passed, and where the worst one is. Converts to bool, so
/// `if (!ag::gradcheck(f, {x}))` reads as it should; `message` says what failed.
struct GradcheckReport {
  bool passed = true;               ///< Whether every element of every input was within tolerance.
  double max_abs_error = 0.0;       ///< The largest |analytic - numeric| over all elements.
  double max_rel_error = 0.0;       ///< The largest |analytic - numeric| / |numeric| over all elements.
  int worst_input = -1;             ///< Where the error was largest relative to its tolerance.
  std::int64_t worst_element = -1;  ///< Flat index into that input.
  double analytic = 0.0;            ///< The engine's gradient at that element.
  double numeric = 0.0;             ///< The finite-difference gradient at that element.
  std::string message;              ///< A one-line summary of all of the above.

  /// Whether the check passed.
  explicit operator bool() const { return passed; }
};

/// A function of some tensors returning one tensor, as gradcheck and gradgradcheck take it.
using GradcheckFunction = std::function<Tensor(const std::vector<Tensor>&)>;

/// Calls f on float64 copies of `inputs` (which require grad) and compares the gradient of
/// sum(f(inputs) * w), for a fixed random w, with central differences in every element of every input.
/// Throws ag::Error if an input is not float64 or f does not return float64; a wrong gradient is a failed report,
/// not an exception.
GradcheckReport gradcheck(const GradcheckFunction& f, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options = {});

/// Checks second derivatives, as torch.autograd.gradgradcheck: gradchecks the first derivatives
/// (inputs, v) -> grad(f(inputs), inputs, grad_outputs = v, create_graph = true) for a fixed random v, so that the
/// gradients of the backward formulas themselves are compared with finite differences of them. It also checks that
/// the first derivatives are the same with and without create_graph (ops may compute them by other formulas).
/// Throws ag::Error if an input is not float64 or f does not return float64.
GradcheckReport gradgradcheck(const GradcheckFunction& f, const std::vector<Tensor>& inputs,
                              const GradcheckOptions& options = {});

}  // namespace ag

#pragma GCC visibility pop
