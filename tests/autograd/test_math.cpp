#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"
#include "tensor_matchers.hpp"
#include "test_tensors.hpp"

#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

TEST_CASE("exp, log, sqrt and abs compute their values", "[ops][math]") {
  const double e = std::exp(1.0);
  CHECK_THAT(ag::exp(ag::tensor({0, 1, -1})), HasValues({1, e, 1 / e}));
  CHECK_THAT(ag::log(ag::tensor({1, e, 0.5})), HasValues({0, 1, std::log(0.5)}));
  CHECK_THAT(ag::sqrt(ag::tensor({0, 4, 2})), HasValues({0, 2, std::sqrt(2.0)}));
  CHECK_THAT(ag::abs(ag::tensor({-3, 0, 2})), HasValues({3, 0, 2}));
  CHECK(ag::exp(ag::ones({2, 1, 3}, ag::kFloat64)).shape() == ag::Shape{2, 1, 3});
  CHECK(ag::exp(ag::ones({2}, ag::kFloat64)).dtype() == ag::kFloat64);
}

TEST_CASE(
    "exp, log, sqrt and abs pass gradcheck and gradgradcheck on 0-d, 1-D and size-1 shapes and with a reused input",
    "[ops][math]") {
  ag::manual_seed(5);
  SECTION("exp") { check_unary_gradients(ag::exp, normal); }
  SECTION("log") { check_unary_gradients(ag::log, positive); }
  SECTION("sqrt") { check_unary_gradients(ag::sqrt, positive); }
  SECTION("abs") { check_unary_gradients(ag::abs, off_zero); }
}

TEST_CASE("log1p, expm1 and erf compute PyTorch's values, accurately near 0", "[ops][math]") {
  const auto x = ag::tensor({-2, 0, 1e-10, 3}, ag::kFloat64);
  CHECK_THAT(ag::log1p(x.slice(0, 1, 4)), HasValues({0, 1e-10, std::log(4.0)}, 1e-15));
  CHECK_THAT(ag::expm1(x), HasValues({std::expm1(-2.0), 0, 1e-10, std::expm1(3.0)}, 1e-15));
  CHECK_THAT(ag::erf(x), HasValues({std::erf(-2.0), 0, std::erf(1e-10), std::erf(3.0)}));
}

TEST_CASE("log1p, expm1 and erf pass gradcheck and gradgradcheck", "[ops][math]") {
  ag::manual_seed(10);
  SECTION("log1p") { check_unary_gradients(ag::log1p, positive); }
  SECTION("expm1") { check_unary_gradients(ag::expm1, normal); }
  SECTION("erf") { check_unary_gradients(ag::erf, normal); }
}
