#include <autograd/creation.hpp>
#include <autograd/engine.hpp>
#include <autograd/grad_mode.hpp>
#include <autograd/gradcheck.hpp>
#include <autograd/ops/elementwise.hpp>
#include <autograd/ops/reduction.hpp>

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

}  // namespace

GradcheckReport gradcheck(const GradcheckFunction& f, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options) {
  std::vector<Tensor> xs;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].dtype() != kFloat64)
      fail("gradcheck: input {} is {}; finite differences need float64 inputs", i, dtype_name(inputs[i].dtype()));
    xs.push_back(inputs[i].detach().clone().requires_grad_());
  }
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
