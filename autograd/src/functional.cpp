#include <autograd/creation.hpp>
#include <autograd/engine.hpp>
#include <autograd/functional.hpp>
#include <autograd/grad_mode.hpp>
#include <autograd/ops/shape_ops.hpp>

#include <cstddef>
#include <vector>

namespace ag::functional {
namespace {

// What the function is called on: copies of the inputs that require grad. Under create_graph an input that already
// requires grad is reached through a view, so results stay differentiable with respect to it.
std::vector<Tensor> differentiable_inputs(const std::vector<Tensor>& inputs, const Options& options, const char* op) {
  std::vector<Tensor> xs;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& input = inputs[i];
    if (!input.defined()) fail("{}: input {} is undefined", op, i);
    if (!is_floating_point(input.dtype()))
      fail("{}: input {} is {}; only float32 and float64 inputs can be differentiated", op, i,
           dtype_name(input.dtype()));
    if (options.create_graph && input.requires_grad()) {
      xs.push_back(reshape(input, {input.shape().begin(), input.shape().end()}));
    } else {
      xs.push_back(input.detach().requires_grad_());
    }
  }
  return xs;
}

Tensor called(const Function& f, const std::vector<Tensor>& xs, const char* op) {
  Tensor output = f(xs);
  if (!output.defined()) fail("{}: the function returned an undefined tensor", op);
  return output;
}

void check_one_element(const Tensor& output, const char* op) {
  if (output.numel() != 1)
    fail("{}: the function must return a single element, but it returned shape {}", op, output.shape());
}

void check_like_inputs(const std::vector<Tensor>& v, const std::vector<Tensor>& xs, const char* op) {
  if (v.size() != xs.size()) fail("{}: {} tensors given in v for {} inputs", op, v.size(), xs.size());
  for (std::size_t i = 0; i < v.size(); ++i)
    if (!v[i].defined() || !(v[i].shape() == xs[i].shape()) || v[i].dtype() != xs[i].dtype())
      fail("{}: v[{}] must have input {}'s shape {} and dtype {}", op, i, i, xs[i].shape(), dtype_name(xs[i].dtype()));
}

// The gradients of sum(output * grad_output) for every input; an input the output does not depend on gets zeros,
// or an error when strict.
std::vector<Tensor> gradients(const Tensor& output, const std::vector<Tensor>& xs, const Tensor& grad_output,
                              bool create_graph, bool strict, const char* op) {
  std::vector<Tensor> results(xs.size());
  if (output.requires_grad()) {
    GradOptions grad_options{.retain_graph = true, .create_graph = create_graph, .allow_unused = true};
    if (grad_output.defined()) grad_options.grad_outputs = {grad_output};
    results = grad({output}, xs, grad_options);
  }
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (results[i].defined()) continue;
    if (strict) fail("{}: the output does not depend on input {} (strict mode)", op, i);
    results[i] = zeros_like(xs[i]);
  }
  return results;
}

// The sum over pairs of sum(tensors[i] * weights[i]), differentiated with respect to `wrt`; pairs whose tensor is not
// in the graph contribute nothing.
std::vector<Tensor> weighted_gradients(const std::vector<Tensor>& tensors, const std::vector<Tensor>& weights,
                                       const std::vector<Tensor>& wrt, bool create_graph) {
  std::vector<Tensor> outputs;
  std::vector<Tensor> grad_outputs;
  for (std::size_t i = 0; i < tensors.size(); ++i)
    if (tensors[i].requires_grad()) {
      outputs.push_back(tensors[i]);
      grad_outputs.push_back(weights[i]);
    }
  std::vector<Tensor> results(wrt.size());
  if (!outputs.empty())
    results = grad(outputs, wrt, {.grad_outputs = grad_outputs, .create_graph = create_graph, .allow_unused = true});
  for (std::size_t i = 0; i < wrt.size(); ++i)
    if (!results[i].defined()) results[i] = zeros_like(wrt[i]);
  return results;
}

Tensor finished(const Tensor& output, const Options& options) {
  return options.create_graph ? output : output.detach();
}

std::vector<std::int64_t> joined(const Shape& a, const Shape& b) {
  std::vector<std::int64_t> dims(a.begin(), a.end());
  dims.insert(dims.end(), b.begin(), b.end());
  return dims;
}

// d output / d xs[i] for every i, one backward pass per element of `output`.
std::vector<Tensor> jacobian_of(const Tensor& output, const std::vector<Tensor>& xs, const Options& options,
                                bool strict, const char* op) {
  const std::int64_t count = output.numel();
  std::vector<std::vector<Tensor>> rows(xs.size());
  for (std::int64_t k = 0; k < count; ++k) {
    std::vector<double> one_hot(static_cast<std::size_t>(count), 0.0);
    one_hot[static_cast<std::size_t>(k)] = 1.0;
    const Tensor direction = from_vector(one_hot, output.shape(), output.dtype());
    const std::vector<Tensor> row = gradients(output, xs, direction, options.create_graph, strict, op);
    for (std::size_t i = 0; i < xs.size(); ++i) rows[i].push_back(row[i]);
  }
  std::vector<Tensor> result;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const std::vector<std::int64_t> shape = joined(output.shape(), xs[i].shape());
    result.push_back(count == 0 ? zeros(Shape(shape), xs[i].dtype()) : reshape(stack(rows[i]), shape));
  }
  return result;
}

}  // namespace

Result vjp(const Function& f, const std::vector<Tensor>& inputs, const Tensor& v, const Options& options) {
  AutoGradMode enabled(true);
  const std::vector<Tensor> xs = differentiable_inputs(inputs, options, "vjp");
  const Tensor output = called(f, xs, "vjp");
  if (v.defined() && (!(v.shape() == output.shape()) || v.dtype() != output.dtype()))
    fail("vjp: v has shape {} and dtype {}, but the output has shape {} and dtype {}", v.shape(), dtype_name(v.dtype()),
         output.shape(), dtype_name(output.dtype()));
  if (!v.defined()) check_one_element(output, "vjp (without v)");
  return {finished(output, options), gradients(output, xs, v, options.create_graph, options.strict, "vjp")};
}

Result jvp(const Function& f, const std::vector<Tensor>& inputs, const std::vector<Tensor>& v, const Options& options) {
  AutoGradMode enabled(true);
  const std::vector<Tensor> xs = differentiable_inputs(inputs, options, "jvp");
  check_like_inputs(v, xs, "jvp");
  const Tensor output = called(f, xs, "jvp");
  // g(u) = uᵀ J is linear in u, so the derivative of <g(u), v> with respect to u is J v, at any u.
  const Tensor u = zeros_like(output).requires_grad_();
  const std::vector<Tensor> g = gradients(output, xs, u, true, options.strict, "jvp");
  const Tensor jv = weighted_gradients(g, v, {u}, options.create_graph)[0];
  return {finished(output, options), {jv}};
}

Result hvp(const Function& f, const std::vector<Tensor>& inputs, const std::vector<Tensor>& v, const Options& options) {
  AutoGradMode enabled(true);
  const std::vector<Tensor> xs = differentiable_inputs(inputs, options, "hvp");
  check_like_inputs(v, xs, "hvp");
  const Tensor output = called(f, xs, "hvp");
  check_one_element(output, "hvp");
  const std::vector<Tensor> g = gradients(output, xs, Tensor(), true, options.strict, "hvp");
  // H is symmetric, so vᵀ H, the gradient of <g, v>, is H v.
  return {finished(output, options), weighted_gradients(g, v, xs, options.create_graph)};
}

std::vector<Tensor> jacobian(const Function& f, const std::vector<Tensor>& inputs, const Options& options) {
  AutoGradMode enabled(true);
  const std::vector<Tensor> xs = differentiable_inputs(inputs, options, "jacobian");
  return jacobian_of(called(f, xs, "jacobian"), xs, options, options.strict, "jacobian");
}

Tensor jacobian(const UnaryFunction& f, const Tensor& input, const Options& options) {
  return jacobian([&f](const std::vector<Tensor>& xs) { return f(xs[0]); }, std::vector<Tensor>{input}, options)[0];
}

std::vector<std::vector<Tensor>> hessian(const Function& f, const std::vector<Tensor>& inputs, const Options& options) {
  AutoGradMode enabled(true);
  const std::vector<Tensor> xs = differentiable_inputs(inputs, options, "hessian");
  const Tensor output = called(f, xs, "hessian");
  check_one_element(output, "hessian");
  std::vector<std::vector<Tensor>> result;
  // Row block i is the Jacobian of the gradient with respect to input i; a zero second derivative is no error.
  for (const Tensor& g : gradients(output, xs, Tensor(), true, options.strict, "hessian"))
    result.push_back(jacobian_of(g, xs, options, false, "hessian"));
  return result;
}

Tensor hessian(const UnaryFunction& f, const Tensor& input, const Options& options) {
  return hessian([&f](const std::vector<Tensor>& xs) { return f(xs[0]); }, std::vector<Tensor>{input}, options)[0][0];
}

}  // namespace ag::functional
