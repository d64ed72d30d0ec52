#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "tensor_matchers.hpp"

#include <cmath>
#include <cstdint>
#include <limits>

using Catch::StartsWith;

namespace {

// x, then `levels` times y = y * 1 + y * 1: two paths from each level to the one below, 2^levels in all.
ag::Tensor diamonds(const ag::Tensor& x, int levels) {
  ag::Tensor y = x;
  for (int i = 0; i < levels; ++i) y = y * 1.0 + y * 1.0;
  return y;
}

}  // namespace

TEST_CASE("explain spells out each path of the chain rule and sums them", "[inspect][explain]") {
  auto x = ag::scalar(3.0, ag::dtype(ag::kFloat64).requires_grad(true));
  x.set_label("x");
  auto squared = x * x;
  squared.set_label("squared");
  auto y = squared + 2.0 * x;
  y.set_label("y");
  const ag::ChainRuleExplanation explanation = ag::explain(y, x);
  CHECK(explanation.path_count == 2);
  REQUIRE(explanation.paths.size() == 2);
  CHECK(explanation.total.item() == 8.0);
  CHECK(explanation.to_string() ==
        "dy_dx: 2 paths\n"
        "  path 1: dy_dx = dy_dsquared * dsquared_dx\n"
        "    dy_dsquared                  = 1                                (add)\n"
        "    dsquared_dx                  = 6                                (mul)\n"
        "    product                      = 6\n"
        "  path 2: dy_dx = dy_dx\n"
        "    dy_dx                        = 2                                (add -> mul)\n"
        "    product                      = 2\n"
        "  dy_dx = 8\n");
}

TEST_CASE("explain follows a chain of a million ops without recursion", "[inspect][explain]") {
  auto x = ag::scalar(1.0, ag::dtype(ag::kFloat64).requires_grad(true));
  ag::Tensor y = x;
  constexpr int kLength = 1'000'000;
  for (int i = 0; i < kLength; ++i) y = y * 1.0000001;
  const ag::ChainRuleExplanation explanation = ag::explain(y, x);
  CHECK(explanation.path_count == 1);
  REQUIRE(explanation.paths.size() == 1);
  REQUIRE(explanation.paths[0].factors.size() == 1);
  CHECK(explanation.paths[0].factors[0].ops.size() == kLength);
  CHECK(explanation.total.item() == Approx(std::pow(1.0000001, kLength)).epsilon(1e-9));
}

TEST_CASE("explain counts every path but lists only the first ones when there are too many", "[inspect][explain]") {
  auto x = ag::scalar(1.0, ag::dtype(ag::kFloat64).requires_grad(true));
  x.set_label("x");
  ag::Tensor y = diamonds(x, 40);
  y.set_label("y");
  const ag::ChainRuleExplanation explanation = ag::explain(y, x);
  CHECK(explanation.path_count == std::uint64_t{1} << 40);
  CHECK(explanation.paths.size() == ag::kExplainedPathsLimit);
  CHECK(explanation.paths.back().product.item() == 1.0);
  CHECK(explanation.total.item() == std::ldexp(1.0, 40));
  CHECK_THAT(explanation.to_string(), StartsWith("dy_dx: 1099511627776 paths, the first 64 shown\n  path 1: "));

  SECTION("a count past 64 bits saturates and says so") {
    ag::Tensor z = diamonds(x, 70);
    z.set_label("z");
    const ag::ChainRuleExplanation more = ag::explain(z, x);
    CHECK(more.path_count == std::numeric_limits<std::uint64_t>::max());
    CHECK(more.total.item() == std::ldexp(1.0, 70));
    CHECK_THAT(more.to_string(), StartsWith("dz_dx: at least 18446744073709551615 paths, the first 64 shown\n"));
  }
  SECTION("paths that do not reach the input cost nothing") {
    auto w = ag::scalar(1.0, ag::dtype(ag::kFloat64).requires_grad(true));
    ag::Tensor z = x * 2.0 + diamonds(w, 40);
    z.set_label("z");
    const ag::ChainRuleExplanation only_x = ag::explain(z, x);
    CHECK(only_x.path_count == 1);
    CHECK(only_x.total.item() == 2.0);
  }
}

TEST_CASE("explain names what it cannot follow", "[inspect][explain][errors]") {
  auto x = ag::scalar(1.0, ag::dtype(ag::kFloat64).requires_grad(true));
  x.set_label("x");
  auto w = ag::scalar(1.0, ag::dtype(ag::kFloat64).requires_grad(true));
  w.set_label("w");
  CHECK_THROWS_WITH(ag::explain(w * 2.0, x),
                    "explain: '(mul)' does not depend on 'x' (or its graph was freed by backward())");
  CHECK_THROWS_WITH(ag::explain(x, x), "explain: the output and the input are the same tensor 'x'");
  CHECK_THROWS_WITH(ag::explain(ag::sum(ag::ones({2}) * x * x), x),
                    "explain: '(mul)' has shape [2]; explain follows chains of one-element tensors");
}
