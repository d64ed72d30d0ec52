#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"

using Catch::Contains;

namespace {
// An op whose backward is deliberately off by a factor of two in its second element.
ag::Tensor wrong_square(const ag::Tensor& x) {
  ag::Tensor y;
  {
    ag::NoGradGuard no_grad;
    y = x * x;
  }
  return ag::make_op("wrong_square", y, {x}, [](ag::BackwardContext& ctx, const ag::Tensor& grad) {
    auto scale = ag::tensor({2.0, 4.0, 2.0}, ag::kFloat64);
    ctx.add_grad(0, grad * scale * ctx.input(0));
  });
}
}  // namespace

TEST_CASE("gradcheck passes a correct gradient and reports its error size", "[gradcheck]") {
  const auto report =
      ag::gradcheck([](const auto& in) { return (in[0] * in[0]).sum(); }, {ag::tensor({1.0, 2.0, 3.0}, ag::kFloat64)});
  CHECK(report.passed);
  CHECK(report.max_abs_error < 1e-6);
  CHECK_THAT(report.message, Contains("passed"));
}

TEST_CASE("gradcheck finds a wrong gradient and names the input and element", "[gradcheck]") {
  const auto report =
      ag::gradcheck([](const auto& in) { return wrong_square(in[0]); }, {ag::tensor({1.0, 2.0, 3.0}, ag::kFloat64)});
  CHECK_FALSE(report.passed);
  CHECK(report.worst_input == 0);
  CHECK(report.worst_element == 1);
  CHECK(report.analytic == Approx(2.0 * report.numeric).epsilon(1e-4));
  CHECK_THAT(report.message, Contains("FAILED") && Contains("element 1"));
}

TEST_CASE("gradcheck asks for float64", "[gradcheck][errors]") {
  CHECK_THROWS_WITH(ag::gradcheck([](const auto& in) { return in[0].sum(); }, {ag::ones({2})}), Contains("float64"));
}
