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

TEST_CASE("add, sub, mul, div and neg compute values with NumPy broadcasting", "[ops][arithmetic]") {
  const auto a = ag::tensor({{1, 2, 3}, {4, 5, 6}});
  const auto b = ag::tensor({10, 20, 40});
  CHECK((a + b).shape() == ag::Shape{2, 3});
  CHECK_THAT(a + b, HasValues({11, 22, 43, 14, 25, 46}));
  CHECK_THAT(a - b, HasValues({-9, -18, -37, -6, -15, -34}));
  CHECK_THAT(a * b, HasValues({10, 40, 120, 40, 100, 240}));
  CHECK_THAT(b / a, HasValues({10, 10, 40.0 / 3, 2.5, 4, 40.0 / 6}));
  CHECK_THAT(-a, HasValues({-1, -2, -3, -4, -5, -6}));

  const auto column = ag::tensor({{1}, {2}});
  CHECK((column * b).shape() == ag::Shape{2, 3});
  CHECK_THAT(column * b, HasValues({10, 20, 40, 20, 40, 80}));
  CHECK_THAT(ag::scalar(3.0) - b, HasValues({-7, -17, -37}));
}

TEST_CASE("add, sub, mul and div sum broadcast gradients back to each input's shape", "[ops][arithmetic]") {
  ag::manual_seed(1);
  SECTION("add") { check_binary_gradients(ag::add, normal, normal); }
  SECTION("sub") { check_binary_gradients(ag::sub, normal, normal); }
  SECTION("mul") { check_binary_gradients(ag::mul, normal, normal); }
  SECTION("div") { check_binary_gradients(ag::div, normal, positive); }
  SECTION("the broadcast operand gets the column sums") {
    auto a = ag::tensor({{1, 2, 3}, {4, 5, 6}}, ag::requires_grad());
    auto b = ag::tensor({10, 20, 40}, ag::requires_grad());
    ag::sum(a * b).backward();
    CHECK(a.grad().shape() == ag::Shape{2, 3});
    CHECK_THAT(a.grad(), HasValues({10, 20, 40, 10, 20, 40}));
    CHECK(b.grad().shape() == ag::Shape{3});
    CHECK_THAT(b.grad(), HasValues({5, 7, 9}));
  }
}

TEST_CASE("plain numbers mix into tensor expressions on either side, keeping the tensor's dtype", "[ops][arithmetic]") {
  const auto x = ag::tensor({1, 2, 4});
  CHECK_THAT(1.0 - x, HasValues({0, -1, -3}));
  CHECK_THAT(x - 1.0, HasValues({0, 1, 3}));
  CHECK_THAT(x * 2, HasValues({2, 4, 8}));
  CHECK_THAT(3 * x, HasValues({3, 6, 12}));
  CHECK_THAT(2 / x, HasValues({2, 1, 0.5}));
  CHECK_THAT(x / 4, HasValues({0.25, 0.5, 1}));
  CHECK_THAT(0.5 + x, HasValues({1.5, 2.5, 4.5}));
  CHECK_THAT(x + 0.5, HasValues({1.5, 2.5, 4.5}));
  CHECK((x * 2).dtype() == ag::kFloat32);
  CHECK((2.0 / ag::ones({2}, ag::kFloat64)).dtype() == ag::kFloat64);

  ag::manual_seed(2);
  const auto f = [](const std::vector<ag::Tensor>& in) {
    const ag::Tensor& x = in[0];
    return 1.0 - x * 2 + 2 / x + (3 + x) / 4 - 0.5 * x + (x - 1) * 1.5;
  };
  check_gradients_twice(f, {positive({3})});
  check_gradients_twice(f, {positive({})});
}

TEST_CASE("pow with a number exponent computes values and gradients", "[ops][arithmetic]") {
  CHECK_THAT(ag::pow(ag::tensor({1, 2, -3}), 2), HasValues({1, 4, 9}));
  CHECK_THAT(ag::tensor({4, 9}).pow(0.5), HasValues({2, 3}));
  CHECK_THAT(ag::tensor({2, 4}).pow(-1), HasValues({0.5, 0.25}));
  CHECK_THAT(ag::tensor({0, 5}).pow(0), HasValues({1, 1}));

  ag::manual_seed(3);
  for (double exponent : {2.0, 3.0, 0.5, -1.5, 0.0}) {
    INFO("positive base, exponent " << exponent);
    check_unary_gradients([exponent](const ag::Tensor& x) { return ag::pow(x, exponent); }, positive);
  }
  for (double exponent : {2.0, 3.0}) {
    INFO("signed base, exponent " << exponent);
    check_unary_gradients([exponent](const ag::Tensor& x) { return ag::pow(x, exponent); }, normal);
  }
}

TEST_CASE("pow with exponent 0 has a zero gradient, even at 0", "[ops][arithmetic]") {
  auto x = ag::tensor({0, 2}, ag::requires_grad());
  ag::sum(x.pow(0)).backward();
  CHECK_THAT(x.grad(), HasValues({0, 0}));
}

TEST_CASE("pow with a tensor exponent differentiates base and exponent, broadcasting both", "[ops][arithmetic]") {
  CHECK_THAT(ag::pow(ag::tensor({2, 3}), ag::tensor({{1}, {2}})), HasValues({2, 3, 4, 9}));
  ag::manual_seed(4);
  check_binary_gradients([](const ag::Tensor& a, const ag::Tensor& b) { return ag::pow(a, b); }, positive, normal);
}

TEST_CASE("pow with a zero base gives the exponent a zero gradient, as PyTorch does", "[ops][arithmetic]") {
  auto base = ag::tensor({0, 2}, ag::dtype(ag::kFloat64).requires_grad(true));
  auto exponent = ag::tensor({2, 3}, ag::dtype(ag::kFloat64).requires_grad(true));
  ag::sum(ag::pow(base, exponent)).backward();
  CHECK_THAT(base.grad(), HasValues({0, 12}));
  CHECK_THAT(exponent.grad(), HasValues({0, 8 * std::log(2.0)}));
}

TEST_CASE("binary ops name themselves and both shapes when the shapes do not broadcast", "[ops][arithmetic][errors]") {
  const auto a = ag::zeros({2, 3});
  const auto b = ag::zeros({4});
  CHECK_THROWS_WITH(ag::add(a, b), "add: shapes [2, 3] and [4] cannot be broadcast together (dimension 1: 3 vs 4)");

  const std::vector<std::pair<std::string, BinaryOp>> ops = {
      {"add", ag::add},
      {"sub", ag::sub},
      {"mul", ag::mul},
      {"div", ag::div},
      {"pow", [](const ag::Tensor& x, const ag::Tensor& y) { return ag::pow(x, y); }},
      {"maximum", [](const ag::Tensor& x, const ag::Tensor& y) { return ag::maximum(x, y); }},
      {"minimum", [](const ag::Tensor& x, const ag::Tensor& y) { return ag::minimum(x, y); }},
      {"eq", ag::eq},
      {"ne", ag::ne},
      {"lt", ag::lt},
      {"le", ag::le},
      {"gt", ag::gt},
      {"ge", ag::ge}};
  for (const auto& [name, op] : ops) {
    INFO(name);
    CHECK_THROWS_WITH(op(a, b), StartsWith(name + ":") && Contains("[2, 3]") && Contains("[4]"));
    CHECK_THROWS_WITH(op(ag::zeros({2}), ag::zeros({2}, ag::kFloat64)),
                      StartsWith(name + ":") && Contains("float32") && Contains("float64"));
  }
}

TEST_CASE("mixed dtypes promote as in PyTorch: bool < int64 < float, 0-d operands do not widen",
          "[ops][arithmetic][dtype]") {
  const auto i = ag::tensor({1, 2, 3}, ag::kInt64);
  const auto f = ag::tensor({0.5, 0.5, 0.5});
  const auto b = ag::tensor({1, 0, 1}, ag::kBool);
  CHECK((i + i).dtype() == ag::kInt64);
  CHECK((i + f).dtype() == ag::kFloat32);
  CHECK_THAT(i + f, HasValues({1.5, 2.5, 3.5}));
  CHECK((b + i).dtype() == ag::kInt64);
  CHECK_THAT(b * f, HasValues({0.5, 0, 0.5}));
  CHECK((i * 2).dtype() == ag::kInt64);
  CHECK((i * 2.5).dtype() == ag::kFloat32);
  CHECK((b + 1).dtype() == ag::kInt64);
  CHECK_THAT(i / 2, HasValues({0.5, 1, 1.5}));
  CHECK((f * ag::scalar(2.0, ag::kFloat64)).dtype() == ag::kFloat32);

  // The gradient flows back to a float input in its own dtype through the promotion.
  auto w = ag::tensor({1, 2, 3}, ag::requires_grad());
  ag::sum(w * i).backward();
  CHECK(w.grad().dtype() == ag::kFloat32);
  CHECK_THAT(w.grad(), HasValues({1, 2, 3}));

  // A float times a bool mask, either way round, broadcasting, with the gradient masked.
  const auto mask = ag::tensor({{1}, {0}}, ag::kBool);
  const auto masked = (mask * ag::tensor({2, NAN})).to_vector();
  CHECK((masked[0] == 2 && std::isnan(masked[1]) && masked[2] == 0 && std::isnan(masked[3])));
  check_gradients_twice([&](const auto& in) { return in[0] * mask + mask * in[0] * in[0]; },
                        {ag::randn({2, 3}, ag::kFloat64)});

  // Integer arithmetic keeps every digit.
  const auto big = ag::full({1}, 4503599627370496.0, ag::kInt64) * 2 + 1;
  CHECK(big.dtype() == ag::kInt64);
  CHECK(big.item<std::int64_t>() == 9007199254740993);

  CHECK_THROWS_WITH(ag::exp(i), "exp: not supported for dtype int64 (expected float32 or float64); convert with .to()");
  CHECK_THROWS_WITH(b + b,
                    "add: not supported for dtype bool (expected float32, float64 or int64); convert with .to()");
  CHECK_THROWS_WITH(ag::tensor({1, 2}, ag::kFloat64) * ag::tensor({1, 2}),
                    "mul: dtype mismatch: float64 (shape [2]) and float32 (shape [2]); convert one with .to()");
}

TEST_CASE("compound assignment updates a tensor outside the graph in place, so aliases see it",
          "[ops][arithmetic][inplace]") {
  auto x = ag::tensor({1, 2, 3});
  const auto alias = x;
  x += ag::tensor({10, 10, 10});
  x += 1.0;
  x *= 2;
  x -= ag::tensor({1});
  x /= 2;
  CHECK(x.is_same(alias));
  CHECK_THAT(alias, HasValues({11.5, 12.5, 13.5}));

  auto counts = ag::zeros({3}, ag::kInt64);
  counts += ag::tensor({1, 0, 1}, ag::kBool);
  counts += 1;
  CHECK_THAT(counts, HasValues({2, 1, 2}));
  CHECK_THROWS_WITH(counts += 0.5,
                    "add_: the result would be float32, which cannot be stored in the int64 tensor "
                    "being updated");
  CHECK_THROWS_WITH(x += ag::ones({2}), StartsWith("add_: the source has shape [2] but the tensor being updated"));

  // With the graph involved, the result is recorded and x is rebound to it.
  auto w = ag::tensor({1, 2}, ag::requires_grad());
  auto y = w * 1.0;
  const auto before = y;
  y += w;
  CHECK_FALSE(y.is_same(before));
  ag::sum(y).backward();
  CHECK_THAT(w.grad(), HasValues({2, 2}));
}

TEST_CASE("neg passes gradcheck and gradgradcheck on 0-d, 1-D and size-1 shapes and with a reused input",
          "[ops][arithmetic]") {
  ag::manual_seed(5);
  check_unary_gradients(ag::neg, normal);
}
