#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Derivatives of whole functions, as torch.autograd.functional: vector-Jacobian and Jacobian-vector products,
/// Hessian-vector products, full Jacobians and Hessians. Each takes a function of some tensors that returns one
/// tensor, and the point where it is differentiated. The inputs themselves are left alone: the function is called on
/// copies that require grad (on views of them that keep their graph, under create_graph).

#include <autograd/tensor.hpp>

#include <functional>
#include <vector>

/// @namespace ag::functional
/// Derivatives of whole functions, as torch.autograd.functional: vjp, jvp, hvp, jacobian and hessian. Every function
/// throws ag::Error if an input is undefined or not floating point, or if the function returns an undefined tensor.
namespace ag::functional {

/// A function of some tensors that returns one tensor.
using Function = std::function<Tensor(const std::vector<Tensor>&)>;
/// A function of one tensor that returns one tensor.
using UnaryFunction = std::function<Tensor(const Tensor&)>;

/// Options shared by every function here.
struct Options {
  bool create_graph = false;  ///< The results can be differentiated again (Newton steps, meta-learning).
  bool strict = false;        ///< An output that does not depend on an input throws instead of giving zeros.
};

/// The function's output (detached unless create_graph) with its derivatives.
struct Result {
  Tensor output;                    ///< f(inputs), detached unless create_graph.
  std::vector<Tensor> derivatives;  ///< One per input, each of that input's shape.
};

/// vᵀ J: the gradient of sum(f(inputs) * v) with respect to each input. `v` has the output's shape; it may be left
/// undefined when the output has one element. Throws ag::Error if `v` differs from the output in shape or dtype, or
/// is undefined for an output of more than one element.
Result vjp(const Function& f, const std::vector<Tensor>& inputs, const Tensor& v = Tensor(),
           const Options& options = {});

/// J v, with `v` one tensor per input of that input's shape: the change of the output along v. Computed by reverse
/// mode twice (the "double vjp" trick), so it costs about two backward passes; the result has the output's shape and is
/// returned as Result::derivatives[0]. Throws ag::Error if `v` does not have one tensor per input, each of that
/// input's shape and dtype.
Result jvp(const Function& f, const std::vector<Tensor>& inputs, const std::vector<Tensor>& v,
           const Options& options = {});

/// H v for a function with one output element, `v` one tensor per input: the derivative of the gradient along v.
/// Throws ag::Error if the output has more than one element, or `v` does not have one tensor per input, each of that
/// input's shape and dtype.
Result hvp(const Function& f, const std::vector<Tensor>& inputs, const std::vector<Tensor>& v,
           const Options& options = {});

/// d f / d input_i for each input, of shape output.shape + input_i.shape; one backward pass per output element.
std::vector<Tensor> jacobian(const Function& f, const std::vector<Tensor>& inputs, const Options& options = {});
/// d f / d input for a function of one tensor, of shape output.shape + input.shape.
Tensor jacobian(const UnaryFunction& f, const Tensor& input, const Options& options = {});

/// d² f / d input_i d input_j for a function with one output element, of shape input_i.shape + input_j.shape.
/// Throws ag::Error if the output has more than one element.
std::vector<std::vector<Tensor>> hessian(const Function& f, const std::vector<Tensor>& inputs,
                                         const Options& options = {});
/// d² f / d input² for a function of one tensor with one output element, of shape input.shape + input.shape.
/// Throws ag::Error if the output has more than one element.
Tensor hessian(const UnaryFunction& f, const Tensor& input, const Options& options = {});

}  // namespace ag::functional

#pragma GCC visibility pop
