#include <autograd/creation.hpp>
#include <autograd/engine.hpp>
#include <autograd/grad_mode.hpp>
#include <autograd/gradcheck.hpp>
#include <autograd/ops/elementwise.hpp>
#include <autograd/ops/reduction.hpp>
#include <autograd/ops/shape_ops.hpp>

#include <cmath>
#include <random>

namespace ag {
namespace {

// A fixed random weighting, so every output element takes part in the checked scalar.
Tensor projection_weights(const Shape& shape, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::uniform_real_distribution<double> uniform(0.5, 1.5);
  std::vector<double> values(static_cast<std::size_t>(shape.numel()));
  for (double& v : values) v = (engine() & 1 ? 1.0 : -1.0) * uniform(engine);
  return from_vector(values, shape, kFloat64);
}

std::vector<Tensor> float64_leaves(const std::vector<Tensor>& inputs, const char* op) {
  std::vector<Tensor> xs;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].dtype() != kFloat64)
      fail("{}: input {} is {}; finite differences need float64 inputs", op, i, dtype_name(inputs[i].dtype()));
    xs.push_back(inputs[i].detach().clone().requires_grad_());
  }
  return xs;
}

// The gradients of sum(f(xs) * v) with respect to xs; an unused input's is undefined.
std::vector<Tensor> first_derivatives(const GradcheckFunction& f, const std::vector<Tensor>& xs, const Tensor& v,
                                      bool create_graph) {
  AutoGradMode enabled(true);  // also inside gradcheck's finite differences, which run under NoGradGuard
  return grad({f(xs)}, xs, {.grad_outputs = {v}, .create_graph = create_graph, .allow_unused = true});
}

GradcheckReport failed_at(std::size_t input, std::size_t element, double analytic, double numeric,
                          std::string message) {
  GradcheckReport report;
  report.passed = false;
  report.worst_input = static_cast<int>(input);
  report.worst_element = static_cast<std::int64_t>(element);
  report.analytic = analytic;
  report.numeric = numeric;
  report.message = std::move(message);
  return report;
}

}  // namespace

GradcheckReport gradgradcheck(const GradcheckFunction& f, const std::vector<Tensor>& inputs,
                              const GradcheckOptions& options) {
  const std::vector<Tensor> xs = float64_leaves(inputs, "gradgradcheck");
  Tensor v;
  {
    AutoGradMode enabled(true);
    v = projection_weights(f(xs).shape(), options.seed + 1);
  }

  // The same first derivatives by both routes: a fused kernel, and the differentiable formula.
  const std::vector<Tensor> plain = first_derivatives(f, xs, v, false);
  const std::vector<Tensor> recorded = first_derivatives(f, xs, v, true);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (plain[i].defined() != recorded[i].defined())
      return failed_at(i, 0, 0, 0,
                       fmt::format("gradgradcheck FAILED: input {} is used with create_graph or without, "
                                   "not both",
                                   i));
    if (!plain[i].defined()) continue;
    // The first derivative is linear in v, so it depends on the graph unless the backward left it.
    if (!recorded[i].requires_grad())
      return failed_at(i, 0, 0, 0,
                       fmt::format("gradgradcheck FAILED: the gradient of input {} was not recorded under "
                                   "create_graph (a backward formula computed by a kernel of its own?)",
                                   i));
    const std::vector<double> a = plain[i].to_vector();
    const std::vector<double> b = recorded[i].to_vector();
    for (std::size_t j = 0; j < a.size(); ++j)
      if (!(std::abs(a[j] - b[j]) <= 1e-9 + 1e-7 * std::abs(a[j])))
        return failed_at(i, j, b[j], a[j],
                         fmt::format("gradgradcheck FAILED: the first derivative of input {} "
                                     "element {} is {:.10g} with create_graph but {:.10g} without",
                                     i, j, b[j], a[j]));
  }

  // Gradcheck the map (xs, v) -> all first derivatives, flattened into one vector.
  const std::size_t n = xs.size();
  const auto derivatives = [&f, n](const std::vector<Tensor>& in) {
    const std::vector<Tensor> at(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(n));
    std::vector<Tensor> flat;
    const std::vector<Tensor> grads = first_derivatives(f, at, in[n], is_grad_enabled());
    for (std::size_t i = 0; i < n; ++i)
      flat.push_back(grads[i].defined() ? grads[i].reshape({-1}) : zeros({0}, kFloat64));
    return cat(flat, 0);
  };
  std::vector<Tensor> with_v = xs;
  with_v.push_back(v);
  GradcheckReport report = gradcheck(derivatives, with_v, options);
  report.message = "grad" + report.message;
  return report;
}

GradcheckReport gradcheck(const GradcheckFunction& f, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options) {
  std::vector<Tensor> xs = float64_leaves(inputs, "gradcheck");
  const Tensor first_output = f(xs);
  if (first_output.dtype() != kFloat64)
    fail("gradcheck: the function returned {}; it must compute in float64", dtype_name(first_output.dtype()));
  const Tensor weights = projection_weights(first_output.shape(), options.seed);
  const auto objective = [&] { return sum(f(xs) * weights); };

  GradOptions grad_options;
  grad_options.allow_unused = true;
  const std::vector<Tensor> analytic = grad({sum(first_output * weights)}, xs, grad_options);

  GradcheckReport report;
  double worst_ratio = -1.0;
  NoGradGuard no_grad;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    double* values = xs[i].mutable_data<double>();
    for (std::int64_t j = 0; j < xs[i].numel(); ++j) {
      const double original = values[j];
      values[j] = original + options.eps;
      const double plus = objective().item();
      values[j] = original - options.eps;
      const double minus = objective().item();
      values[j] = original;

      const double numeric = (plus - minus) / (2.0 * options.eps);
      const double engine = analytic[i].defined() ? analytic[i].data<double>()[j] : 0.0;
      const double abs_error = std::abs(engine - numeric);
      const double allowed = options.atol + options.rtol * std::abs(numeric);
      report.max_abs_error = std::max(report.max_abs_error, abs_error);
      report.max_rel_error = std::max(report.max_rel_error, abs_error / std::max(std::abs(numeric), 1e-12));
      if (!(abs_error <= allowed)) report.passed = false;  // also fails on NaN
      const double ratio = std::isnan(abs_error) ? INFINITY : abs_error / allowed;
      if (ratio > worst_ratio) {
        worst_ratio = ratio;
        report.worst_input = static_cast<int>(i);
        report.worst_element = j;
        report.analytic = engine;
        report.numeric = numeric;
      }
    }
  }
  report.message = fmt::format(
      "gradcheck {}: max abs error {:.3g}, max rel error {:.3g}; worst at input {} element {}: analytic {:.10g} vs "
      "numeric {:.10g} (atol {}, rtol {})",
      report.passed ? "passed" : "FAILED", report.max_abs_error, report.max_rel_error, report.worst_input,
      report.worst_element, report.analytic, report.numeric, options.atol, options.rtol);
  return report;
}

}  // namespace ag
