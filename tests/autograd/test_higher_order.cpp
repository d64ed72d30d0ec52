#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"
#include "tensor_matchers.hpp"

using Catch::Contains;

TEST_CASE("grad with create_graph gives a gradient that can be differentiated again", "[higher_order]") {
  const ag::Tensor x = ag::tensor({1.0, 2.0, -3.0}, ag::kFloat64).requires_grad_();
  const ag::Tensor y = ag::sum(x * x * x);
  const ag::Tensor dx = ag::grad({y}, {x}, {.create_graph = true})[0];
  REQUIRE(dx.requires_grad());
  CHECK_THAT(dx, HasValues({3.0, 12.0, 27.0}));  // 3 x^2
  const ag::Tensor d2x = ag::grad({ag::sum(dx)}, {x})[0];
  CHECK_THAT(d2x, HasValues({6.0, 12.0, -18.0}));  // 6 x
}

TEST_CASE("backward with create_graph leaves a differentiable grad() and keeps the graph", "[higher_order]") {
  ag::Tensor x = ag::scalar(2.0, ag::kFloat64).requires_grad_();
  const ag::Tensor y = x * x * x * x;  // x^4
  y.backward(ag::Tensor(), std::nullopt, /*create_graph=*/true);
  REQUIRE(x.grad().requires_grad());
  CHECK(x.grad().item() == Approx(32.0));  // 4 x^3
  const ag::Tensor first = x.grad();
  // retain_graph defaulted to create_graph: the first graph is still there.
  x.zero_grad();
  y.backward(ag::Tensor(), /*retain_graph=*/true);  // first's graph goes through y's
  CHECK(x.grad().item() == Approx(32.0));
  x.zero_grad();
  first.backward();
  CHECK(x.grad().item() == Approx(48.0));  // 12 x^2
}

TEST_CASE("without create_graph the backward records nothing", "[higher_order]") {
  const ag::Tensor x = ag::tensor({1.0, 2.0}, ag::kFloat64).requires_grad_();
  const ag::Tensor dx = ag::grad({ag::sum(x * x)}, {x})[0];
  CHECK_FALSE(dx.requires_grad());
  CHECK(dx.grad_fn() == nullptr);
}

TEST_CASE("third derivatives: create_graph twice", "[higher_order]") {
  const ag::Tensor x = ag::scalar(1.5, ag::kFloat64).requires_grad_();
  const ag::Tensor y = ag::exp(2.0 * x);
  const ag::Tensor d1 = ag::grad({y}, {x}, {.create_graph = true})[0];
  const ag::Tensor d2 = ag::grad({d1}, {x}, {.create_graph = true})[0];
  const ag::Tensor d3 = ag::grad({d2}, {x})[0];
  CHECK(d3.item() == Approx(8.0 * std::exp(3.0)));
}

namespace {
// A custom op whose backward uses a kernel of its own: correct first derivatives, but nothing recorded.
ag::Tensor opaque_square(const ag::Tensor& x) {
  ag::Tensor y;
  {
    ag::NoGradGuard no_grad;
    y = x * x;
  }
  return ag::make_op("opaque_square", y, {x}, [](ag::BackwardContext& ctx, const ag::Tensor& grad) {
    ag::NoGradGuard hidden;
    ctx.add_grad(0, grad * 2.0 * ctx.input(0));
  });
}

// A custom op whose create_graph formula disagrees with its fast one.
ag::Tensor two_formulas(const ag::Tensor& x) {
  ag::Tensor y;
  {
    ag::NoGradGuard no_grad;
    y = x * x;
  }
  return ag::make_op("two_formulas", y, {x}, [](ag::BackwardContext& ctx, const ag::Tensor& grad) {
    ctx.add_grad(0, grad * (ctx.create_graph() ? 3.0 : 2.0) * ctx.input(0));
  });
}
}  // namespace

TEST_CASE("gradgradcheck passes correct second derivatives", "[higher_order][gradcheck]") {
  const ag::Tensor x = ag::tensor({0.5, -1.0, 2.0}, ag::kFloat64);
  const ag::Tensor w = ag::tensor({1.5, 0.5, -0.25}, ag::kFloat64);
  const auto report = ag::gradgradcheck([](const auto& in) { return in[0] * in[0] * in[1]; }, {x, w});
  CHECK_THAT(report, PassesGradcheck());
  CHECK_THAT(report.message, Contains("gradgradcheck passed"));
}

TEST_CASE("gradgradcheck finds a backward that records nothing", "[higher_order][gradcheck][errors]") {
  const auto report =
      ag::gradgradcheck([](const auto& in) { return opaque_square(in[0]); }, {ag::tensor({1.0, 2.0}, ag::kFloat64)});
  CHECK_FALSE(report.passed);
  CHECK_THAT(report.message, Contains("not recorded under create_graph"));
}

TEST_CASE("gradgradcheck finds first derivatives that differ with and without create_graph",
          "[higher_order][gradcheck][errors]") {
  const auto report =
      ag::gradgradcheck([](const auto& in) { return two_formulas(in[0]); }, {ag::tensor({1.0, 2.0}, ag::kFloat64)});
  CHECK_FALSE(report.passed);
  CHECK_THAT(report.message, Contains("with create_graph but"));
}

TEST_CASE("gradgradcheck refuses float32 inputs", "[higher_order][gradcheck][errors]") {
  CHECK_THROWS_WITH(ag::gradgradcheck([](const auto& in) { return in[0] * in[0]; }, {ag::ones({2})}),
                    Contains("gradgradcheck: input 0 is float32"));
}
