#pragma once

#include <autograd/tensor.hpp>

#include <vector>

namespace ag {

// Runs reverse mode from `output` and adds d(output)/d(leaf) into every leaf's grad() that requires one.
// A non-scalar output needs `gradient` of its shape. Unless `retain_graph`, the graph's saved tensors
// are freed, and a second backward through it throws.
void backward(const Tensor& output, const Tensor& gradient = Tensor(), bool retain_graph = false);

struct GradOptions {
  std::vector<Tensor> grad_outputs;  // one per output; may be empty for scalar outputs
  bool retain_graph = false;
  bool allow_unused = false;  // an input the outputs do not depend on gets an undefined tensor instead of an error
};

// The gradients of sum(outputs) with respect to `inputs`, without touching any grad(); as torch.autograd.grad.
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const GradOptions& options = {});

// Runs only the op that produced `output`: the gradient reaching each of its direct inputs when `output`
// receives `grad_output` (undefined for inputs that do not require grad). The graph is kept.
std::vector<Tensor> local_gradients(const Tensor& output, const Tensor& grad_output);

}  // namespace ag
