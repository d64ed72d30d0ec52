#pragma once

// Checks the engine's gradients against central finite differences, as torch.autograd.gradcheck.

#include <autograd/tensor.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ag {

struct GradcheckOptions {
  double eps = 1e-6;   // finite-difference step
  double atol = 1e-5;  // an element passes when |analytic - numeric| <= atol + rtol * |numeric|
  double rtol = 1e-3;
  std::uint64_t seed = 0;  // for the random projection of non-scalar outputs
};

struct GradcheckReport {
  bool passed = true;
  double max_abs_error = 0.0;
  double max_rel_error = 0.0;
  int worst_input = -1;             // where the error was largest relative to its tolerance
  std::int64_t worst_element = -1;  // flat index into that input
  double analytic = 0.0;            // the two gradients at that element
  double numeric = 0.0;
  std::string message;  // a one-line summary of all of the above

  explicit operator bool() const { return passed; }
};

using GradcheckFunction = std::function<Tensor(const std::vector<Tensor>&)>;

// Calls f on float64 copies of `inputs` (which require grad) and compares the gradient of
// sum(f(inputs) * w), for a fixed random w, with central differences in every element of every input.
GradcheckReport gradcheck(const GradcheckFunction& f, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options = {});

// Checks second derivatives, as torch.autograd.gradgradcheck: gradchecks the first derivatives
// (inputs, v) -> grad(f(inputs), inputs, grad_outputs = v, create_graph = true) for a fixed random v, so that the
// gradients of the backward formulas themselves are compared with finite differences of them. It also checks that
// the first derivatives are the same with and without create_graph (ops may compute them by other formulas).
GradcheckReport gradgradcheck(const GradcheckFunction& f, const std::vector<Tensor>& inputs,
                              const GradcheckOptions& options = {});

}  // namespace ag
