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

using Catch::Contains;
using Catch::StartsWith;

TEST_CASE("clamp limits values to its bounds, either of which may be left out", "[ops][clamp]") {
  CHECK_THAT(ag::clamp(ag::tensor({-2, 0.3, 5}), -1, 1), HasValues({-1, 0.3, 1}));
  const auto y = ag::tensor({-2, 0, 1, 3}, ag::kFloat64);
  CHECK_THAT(ag::clamp_min(y, 0.5), HasValues({0.5, 0.5, 1, 3}));
  CHECK_THAT(y.clamp_max(0.5), HasValues({-2, 0, 0.5, 0.5}));
  CHECK_THAT(ag::clamp(y, std::nullopt, 1.0), HasValues({-2, 0, 1, 1}));
  CHECK_THAT(ag::maximum(y, 0.0), HasValues({0, 0, 1, 3}));
  CHECK_THAT(ag::minimum(1, y), HasValues({-2, 0, 1, 1}));
  CHECK_THROWS_WITH(ag::clamp(y, std::nullopt, std::nullopt), StartsWith("clamp: give at least one of min and max"));
}

TEST_CASE("one-sided clamps pass gradcheck and gradgradcheck", "[ops][clamp]") {
  ag::manual_seed(10);
  SECTION("clamp_min") {
    check_unary_gradients([](const ag::Tensor& x) { return ag::clamp_min(x, 0.05); }, off_zero);
  }
  SECTION("clamp_max") {
    check_unary_gradients([](const ag::Tensor& x) { return ag::clamp_max(x, 0.05); }, off_zero);
  }
}

TEST_CASE("clamp passes the gradient inside the bounds and none outside", "[ops][clamp]") {
  const auto values = ag::tensor({-1.5, -0.7, -0.2, 0.3, 0.8, 2.0}, ag::kFloat64);
  auto x = values.detach().requires_grad_();
  ag::sum(ag::clamp(x, -1, 1)).backward();
  CHECK_THAT(x.grad(), HasValues({0, 1, 1, 1, 1, 0}));

  const auto clamp = [](const ag::Tensor& x) { return ag::clamp(x, -1, 1); };
  check_gradients_twice([&](const auto& in) { return clamp(in[0]); }, {values});
  check_gradients_twice([&](const auto& in) { return clamp(in[0]); }, {values.reshape({2, 1, 3})});
  check_gradients_twice([&](const auto& in) { return clamp(in[0]) * in[0]; }, {values});
  for (double v : {0.3, 2.0}) {
    INFO("0-d input " << v);
    check_gradients_twice([&](const auto& in) { return clamp(in[0]); }, {ag::scalar(v, ag::kFloat64)});
  }
}

TEST_CASE("clamp refuses a minimum above the maximum", "[ops][clamp][errors]") {
  CHECK_THROWS_WITH(ag::clamp(ag::zeros({3}), 1, -1), StartsWith("clamp:") && Contains("[3]"));
}

TEST_CASE("maximum and minimum pick elementwise with broadcasting", "[ops][clamp]") {
  const auto a = ag::tensor({1, 5, 3});
  const auto b = ag::tensor({4, 2, 3});
  CHECK_THAT(ag::maximum(a, b), HasValues({4, 5, 3}));
  CHECK_THAT(ag::minimum(a, b), HasValues({1, 2, 3}));
  const auto column = ag::tensor({{0}, {2}});
  CHECK((ag::maximum(column, ag::tensor({1, 3}))).shape() == ag::Shape{2, 2});
  CHECK_THAT(ag::maximum(column, ag::tensor({1, 3})), HasValues({1, 3, 2, 3}));
  CHECK_THAT(ag::minimum(column, ag::tensor({1, 3})), HasValues({0, 0, 1, 2}));
}

TEST_CASE("maximum and minimum send the gradient to the winner, broadcasting and reusing inputs", "[ops][clamp]") {
  ag::manual_seed(6);
  SECTION("maximum") {
    check_binary_gradients([](const ag::Tensor& a, const ag::Tensor& b) { return ag::maximum(a, b); }, normal, normal);
  }
  SECTION("minimum") {
    check_binary_gradients([](const ag::Tensor& a, const ag::Tensor& b) { return ag::minimum(a, b); }, normal, normal);
  }
}

TEST_CASE("maximum and minimum split the gradient evenly on ties", "[ops][clamp]") {
  auto a = ag::tensor({1, 2, 3}, ag::requires_grad());
  auto b = ag::tensor({1, 5, 0}, ag::requires_grad());
  SECTION("maximum") {
    ag::sum(ag::maximum(a, b)).backward();
    CHECK_THAT(a.grad(), HasValues({0.5, 0, 1}));
    CHECK_THAT(b.grad(), HasValues({0.5, 1, 0}));
  }
  SECTION("minimum") {
    ag::sum(ag::minimum(a, b)).backward();
    CHECK_THAT(a.grad(), HasValues({0.5, 1, 0}));
    CHECK_THAT(b.grad(), HasValues({0.5, 0, 1}));
  }
  SECTION("one input as both operands gets the whole gradient") {
    ag::sum(ag::maximum(a, a) + ag::minimum(a, a)).backward();
    CHECK_THAT(a.grad(), HasValues({2, 2, 2}));
  }
}

TEST_CASE("maximum, minimum and clamp give NaN where an input is NaN, from either side, as PyTorch", "[ops][clamp]") {
  const auto a = ag::tensor({NAN, 1, NAN, 2});
  const auto b = ag::tensor({1, NAN, NAN, 3});
  for (const ag::Tensor& picked : {ag::maximum(a, b), ag::maximum(b, a), ag::minimum(a, b), ag::minimum(b, a)}) {
    const std::vector<double> values = picked.to_vector();
    CHECK(std::isnan(values[0]));
    CHECK(std::isnan(values[1]));
    CHECK(std::isnan(values[2]));
    CHECK(!std::isnan(values[3]));
  }
  for (const ag::Tensor& clamped : {ag::clamp(a, 0, 1), ag::clamp_min(a, 0), ag::clamp_max(a, 0)})
    CHECK(std::isnan(clamped.to_vector()[0]));
  // Integers have no NaN; their path is unchanged.
  CHECK_THAT(ag::maximum(ag::tensor({1, 5}, ag::kInt64), ag::tensor({3, 2}, ag::kInt64)), HasValues({3, 5}));
  CHECK_THAT(ag::minimum(ag::tensor({1, 5}, ag::kInt64), ag::tensor({3, 2}, ag::kInt64)), HasValues({1, 2}));
}

TEST_CASE("maximum and minimum give both inputs the whole gradient where one is NaN, as PyTorch", "[ops][clamp]") {
  auto a = ag::tensor({NAN, 1, 4}, ag::requires_grad());
  auto b = ag::tensor({2, NAN, 3}, ag::requires_grad());
  SECTION("maximum") {
    ag::sum(ag::maximum(a, b)).backward();
    CHECK_THAT(a.grad(), HasValues({1, 1, 1}));
    CHECK_THAT(b.grad(), HasValues({1, 1, 0}));
  }
  SECTION("minimum") {
    ag::sum(ag::minimum(a, b)).backward();
    CHECK_THAT(a.grad(), HasValues({1, 1, 0}));
    CHECK_THAT(b.grad(), HasValues({1, 1, 1}));
  }
}
