#pragma once

// Derivatives of whole functions, as torch.autograd.functional: vector-Jacobian and Jacobian-vector products,
// Hessian-vector products, full Jacobians and Hessians. Each takes a function of some tensors that returns one
// tensor, and the point where it is differentiated. The inputs themselves are left alone: the function is called on
// copies that require grad (on views of them that keep their graph, under create_graph).

#include <autograd/tensor.hpp>

#include <functional>
#include <vector>

namespace ag::functional {

using Function = std::function<Tensor(const std::vector<Tensor>&)>;
using UnaryFunction = std::function<Tensor(const Tensor&)>;

struct Options {
  bool create_graph = false;  // the results can be differentiated again (Newton steps, meta-learning)
  bool strict = false;        // an output that does not depend on an input throws instead of giving zeros
};

// The function's output (detached unless create_graph) with its derivatives.
struct Result {
  Tensor output;
  std::vector<Tensor> derivatives;  // one per input, each of that input's shape
};

// vᵀ J: the gradient of sum(f(inputs) * v) with respect to each input. `v` has the output's shape; it may be left
// undefined when the output has one element.
Result vjp(const Function& f, const std::vector<Tensor>& inputs, const Tensor& v = Tensor(),
           const Options& options = {});

// J v, with `v` one tensor per input of that input's shape: the change of the output along v. Computed by reverse
// mode twice (the "double vjp" trick), so it costs about two backward passes; the result has the output's shape and is
// returned as Result::derivatives[0].
Result jvp(const Function& f, const std::vector<Tensor>& inputs, const std::vector<Tensor>& v,
           const Options& options = {});

// H v for a function with one output element, `v` one tensor per input: the derivative of the gradient along v.
Result hvp(const Function& f, const std::vector<Tensor>& inputs, const std::vector<Tensor>& v,
           const Options& options = {});

// d f / d input_i for each input, of shape output.shape + input_i.shape; one backward pass per output element.
std::vector<Tensor> jacobian(const Function& f, const std::vector<Tensor>& inputs, const Options& options = {});
Tensor jacobian(const UnaryFunction& f, const Tensor& input, const Options& options = {});

// d² f / d input_i d input_j for a function with one output element, of shape input_i.shape + input_j.shape.
std::vector<std::vector<Tensor>> hessian(const Function& f, const std::vector<Tensor>& inputs,
                                         const Options& options = {});
Tensor hessian(const UnaryFunction& f, const Tensor& input, const Options& options = {});

}  // namespace ag::functional
