#pragma once

#include <autograd/tensor.hpp>

#include <optional>
#include <vector>

namespace ag {

// Runs reverse mode from `output` and adds d(output)/d(leaf) into every leaf's grad() that requires one.
// A non-scalar output needs `gradient` of its shape. Unless `retain_graph` (default: `create_graph`), the graph's
// saved tensors are freed, and a second backward through it throws. With `create_graph`, the backward formulas
// are recorded as ops, so the gradients can be differentiated again (as PyTorch's create_graph=True).
void backward(const Tensor& output, const Tensor& gradient = Tensor(), std::optional<bool> retain_graph = std::nullopt,
              bool create_graph = false);

struct GradOptions {
  std::vector<Tensor> grad_outputs{};  // one per output; may be empty for scalar outputs
  std::optional<bool> retain_graph{};  // default: create_graph
  bool create_graph = false;           // record the backward, so that the gradients are differentiable
  bool allow_unused = false;  // an input the outputs do not depend on gets an undefined tensor instead of an error
};

// The gradients of sum(outputs) with respect to `inputs`, without touching any grad(); as torch.autograd.grad:
//   auto [dx] = ag::grad({y}, {x}, {.create_graph = true});  // dx can be differentiated again
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const GradOptions& options = {});

// Runs only the op that produced `output`: the gradient reaching each of its direct inputs when `output`
// receives `grad_output` (undefined for inputs that do not require grad). The graph is kept.
std::vector<Tensor> local_gradients(const Tensor& output, const Tensor& grad_output);

}  // namespace ag
