#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <autograd/tensor.hpp>

#include <optional>
#include <vector>

namespace ag {

/// Runs reverse mode from `output` and adds d(output)/d(leaf) into every leaf's grad() that requires one.
/// A non-scalar output needs `gradient` of its shape. Unless `retain_graph` (default: `create_graph`), the graph's
/// saved tensors are freed, and a second backward through it throws. With `create_graph`, the backward formulas
/// are recorded as ops, so the gradients can be differentiated again (as PyTorch's create_graph=True).
///
/// Throws ag::Error if `output` does not require grad; if it has more than one element and no `gradient` is given,
/// or `gradient` differs from it in shape or dtype; if an earlier backward freed the graph; if a tensor that a
/// backward formula reads was modified in place since the forward; or if another backward pass runs through the
/// same graph at the same time.
void backward(const Tensor& output, const Tensor& gradient = Tensor(), std::optional<bool> retain_graph = std::nullopt,
              bool create_graph = false);

/// Options of ag::grad, as the keyword arguments of torch.autograd.grad.
struct GradOptions {
  std::vector<Tensor> grad_outputs{};  ///< One per output; may be empty for scalar outputs.
  std::optional<bool> retain_graph{};  ///< Keep the graph for another pass; default: create_graph.
  bool create_graph = false;           ///< Record the backward, so that the gradients are differentiable.
  /// An input the outputs do not depend on gets an undefined tensor instead of an error.
  bool allow_unused = false;
};

/// The gradients of sum(outputs) with respect to `inputs`, without touching any grad(); as torch.autograd.grad:
/// @code
/// auto [dx] = ag::grad({y}, {x}, {.create_graph = true});  // dx can be differentiated again
/// @endcode
/// Throws ag::Error as backward() does, and also if the count of grad_outputs is not that of the outputs, if an
/// input does not require grad, or if an input was not used to compute the outputs (unless allow_unused).
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const GradOptions& options = {});

/// Runs only the op that produced `output`: the gradient reaching each of its direct inputs when `output`
/// receives `grad_output` (undefined for inputs that do not require grad). The graph is kept. Throws ag::Error if
/// `output` was not produced by a recorded op, or if `grad_output` differs from it in shape or dtype.
std::vector<Tensor> local_gradients(const Tensor& output, const Tensor& grad_output);

}  // namespace ag

#pragma GCC visibility pop
