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

TEST_CASE("sigmoid, tanh and relu compute their values", "[ops][activation]") {
  const double e = std::exp(1.0);
  CHECK_THAT(ag::sigmoid(ag::tensor({0, 2, -2})), HasValues({0.5, 1 / (1 + std::exp(-2.0)), 1 / (1 + e * e)}));
  CHECK_THAT(ag::tanh(ag::tensor({0, 1, -3})), HasValues({0, std::tanh(1.0), std::tanh(-3.0)}));
  CHECK_THAT(ag::relu(ag::tensor({-1, 0, 2})), HasValues({0, 0, 2}));
}

TEST_CASE(
    "sigmoid, tanh and relu pass gradcheck and gradgradcheck on 0-d, 1-D and size-1 shapes and with a reused input",
    "[ops][activation]") {
  ag::manual_seed(5);
  SECTION("sigmoid") { check_unary_gradients(ag::sigmoid, normal); }
  SECTION("tanh") { check_unary_gradients(ag::tanh, normal); }
  SECTION("relu") { check_unary_gradients(ag::relu, off_zero); }
}

TEST_CASE("abs and relu pass a zero gradient at their kink, as PyTorch does", "[ops][activation][math]") {
  auto x = ag::tensor({-2, 0, 3}, ag::requires_grad());
  ag::sum(ag::abs(x) + ag::relu(x)).backward();
  CHECK_THAT(x.grad(), HasValues({-1, 0, 2}));
}

TEST_CASE("sigmoid stays finite for large inputs, in value and gradient", "[ops][activation]") {
  for (ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
    auto x = ag::tensor({-1000, 1000}, ag::dtype(dtype).requires_grad(true));
    const auto y = ag::sigmoid(x);
    CHECK_THAT(y, HasValues({0, 1}));
    ag::sum(y).backward();
    CHECK_THAT(x.grad(), HasValues({0, 0}));
  }
}

TEST_CASE("softplus, gelu and silu compute PyTorch's values", "[ops][activation]") {
  const auto x = ag::tensor({-2, 0, 1e-10, 3}, ag::kFloat64);
  CHECK_THAT(ag::softplus(x), HasValues({std::log1p(std::exp(-2.0)), std::log(2.0), std::log1p(std::exp(1e-10)),
                                         std::log1p(std::exp(3.0))}));
  CHECK_THAT(ag::softplus(ag::tensor({30, 1}), 2.0, 20.0), HasValues({30, std::log1p(std::exp(2.0)) / 2}));
  // torch.nn.functional.gelu(torch.tensor([-2., 0., 1., 3.]), approximate=...) in float64
  const auto y = ag::tensor({-2, 0, 1, 3}, ag::kFloat64);
  CHECK_THAT(ag::gelu(y), HasValues({-0.04550026389635842, 0, 0.8413447460685429, 2.9959507790543757}));
  CHECK_THAT(ag::gelu(y, "tanh"), HasValues({-0.04540230591222236, 0, 0.8411919906082768, 2.9963626299319254}));
  CHECK_THAT(ag::silu(y), HasValues({-2 / (1 + std::exp(2.0)), 0, 1 / (1 + std::exp(-1.0)), 3 / (1 + std::exp(-3.0))}));
  CHECK_THROWS_WITH(ag::gelu(y, "fast"), "gelu: approximate must be \"none\" or \"tanh\", got \"fast\"");
}

TEST_CASE("softplus, gelu and silu pass gradcheck and gradgradcheck", "[ops][activation]") {
  ag::manual_seed(10);
  SECTION("softplus") {
    check_unary_gradients([](const ag::Tensor& x) { return ag::softplus(x); }, normal);
  }
  SECTION("softplus, beta 2, past its threshold") {
    check_unary_gradients([](const ag::Tensor& x) { return ag::softplus(x * 20.0, 2.0, 5.0); }, normal);
  }
  SECTION("gelu") {
    check_unary_gradients([](const ag::Tensor& x) { return ag::gelu(x); }, normal);
  }
  SECTION("gelu tanh") {
    check_unary_gradients([](const ag::Tensor& x) { return ag::gelu(x, "tanh"); }, normal);
  }
  SECTION("silu") { check_unary_gradients(ag::silu, normal); }
}

TEST_CASE("relu keeps a NaN, as PyTorch does, and passes it no gradient, as PyTorch's threshold_backward",
          "[ops][activation]") {
  for (ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
    auto x = ag::tensor({NAN, -1, 2}, ag::dtype(dtype).requires_grad(true));
    const auto y = ag::relu(x);
    const std::vector<double> values = y.to_vector();
    CHECK(std::isnan(values[0]));
    CHECK(values[1] == 0);
    CHECK(values[2] == 2);
    ag::sum(y).backward();
    CHECK_THAT(x.grad(), HasValues({0, 0, 1}));
  }
}
