#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"
#include "tensor_matchers.hpp"
#include "test_tensors.hpp"

#include <cmath>
#include <functional>
#include <string>
#include <utility>
#include <vector>

using Catch::Contains;
using Catch::StartsWith;

namespace {

using Binary = std::function<ag::Tensor(const ag::Tensor&, const ag::Tensor&)>;
using Unary = std::function<ag::Tensor(const ag::Tensor&)>;
using Maker = ag::Tensor (*)(const ag::Shape&);

// In [0.5, 1.5): inside the domain of log, sqrt and real powers, and far from a division by zero.
ag::Tensor positive(const ag::Shape& shape) { return ag::rand(shape, ag::kFloat64) + 0.5; }

// Magnitudes in [0.1, 1.1) with random signs: away from 0, where abs and relu have their kink.
ag::Tensor off_zero(const ag::Shape& shape) {
  const ag::Tensor sign =
      ag::where(ag::rand(shape, ag::kFloat64) < 0.5, ag::scalar(-1.0, ag::kFloat64), ag::scalar(1.0, ag::kFloat64));
  return sign * (ag::rand(shape, ag::kFloat64) + 0.1);
}

// Gradchecks op on equal shapes, broadcasting both ways, size-1 dims, 0-d operands, and one input used as both
// operands (which also makes maximum and minimum tie).
void check_binary_gradients(const Binary& op, Maker make_a, Maker make_b) {
  const std::vector<std::pair<ag::Shape, ag::Shape>> shape_pairs = {
      {{2, 3}, {2, 3}}, {{2, 3}, {3}}, {{3, 1}, {1, 4}}, {{2, 1, 3}, {4, 1}}, {{}, {2, 3}}, {{2, 3}, {}}, {{}, {}}};
  for (const auto& [shape_a, shape_b] : shape_pairs) {
    INFO("shapes " << fmt::format("{} and {}", shape_a, shape_b));
    CHECK_THAT(ag::gradcheck([&](const auto& in) { return op(in[0], in[1]); }, {make_a(shape_a), make_b(shape_b)}),
               PassesGradcheck());
  }
  INFO("one input as both operands");
  CHECK_THAT(ag::gradcheck([&](const auto& in) { return op(in[0], in[0]); }, {positive({2, 3})}), PassesGradcheck());
}

// Gradchecks op on 0-d, 1-D and size-1 shapes, and with its input reused in a second branch.
void check_unary_gradients(const Unary& op, Maker make) {
  for (const ag::Shape& shape : {ag::Shape{}, ag::Shape{5}, ag::Shape{2, 1, 3}}) {
    INFO("shape " << fmt::format("{}", shape));
    CHECK_THAT(ag::gradcheck([&](const auto& in) { return op(in[0]); }, {make(shape)}), PassesGradcheck());
  }
  INFO("input reused: op(x) * x");
  CHECK_THAT(ag::gradcheck([&](const auto& in) { return op(in[0]) * in[0]; }, {make({2, 3})}), PassesGradcheck());
}

}  // namespace

TEST_CASE("add, sub, mul, div and neg compute values with NumPy broadcasting", "[ops][elementwise]") {
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

TEST_CASE("add, sub, mul and div sum broadcast gradients back to each input's shape", "[ops][elementwise]") {
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

TEST_CASE("plain numbers mix into tensor expressions on either side, keeping the tensor's dtype",
          "[ops][elementwise]") {
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
  CHECK_THAT(ag::gradcheck(f, {positive({3})}), PassesGradcheck());
  CHECK_THAT(ag::gradcheck(f, {positive({})}), PassesGradcheck());
}

TEST_CASE("pow with a number exponent computes values and gradients", "[ops][elementwise]") {
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

TEST_CASE("pow with exponent 0 has a zero gradient, even at 0", "[ops][elementwise]") {
  auto x = ag::tensor({0, 2}, ag::requires_grad());
  ag::sum(x.pow(0)).backward();
  CHECK_THAT(x.grad(), HasValues({0, 0}));
}

TEST_CASE("pow with a tensor exponent differentiates base and exponent, broadcasting both", "[ops][elementwise]") {
  CHECK_THAT(ag::pow(ag::tensor({2, 3}), ag::tensor({{1}, {2}})), HasValues({2, 3, 4, 9}));
  ag::manual_seed(4);
  check_binary_gradients([](const ag::Tensor& a, const ag::Tensor& b) { return ag::pow(a, b); }, positive, normal);
}

TEST_CASE("pow with a zero base gives the exponent a zero gradient, as PyTorch does", "[ops][elementwise]") {
  auto base = ag::tensor({0, 2}, ag::dtype(ag::kFloat64).requires_grad(true));
  auto exponent = ag::tensor({2, 3}, ag::dtype(ag::kFloat64).requires_grad(true));
  ag::sum(ag::pow(base, exponent)).backward();
  CHECK_THAT(base.grad(), HasValues({0, 12}));
  CHECK_THAT(exponent.grad(), HasValues({0, 8 * std::log(2.0)}));
}

TEST_CASE("unary ops compute their values", "[ops][elementwise]") {
  const double e = std::exp(1.0);
  CHECK_THAT(ag::exp(ag::tensor({0, 1, -1})), HasValues({1, e, 1 / e}));
  CHECK_THAT(ag::log(ag::tensor({1, e, 0.5})), HasValues({0, 1, std::log(0.5)}));
  CHECK_THAT(ag::sqrt(ag::tensor({0, 4, 2})), HasValues({0, 2, std::sqrt(2.0)}));
  CHECK_THAT(ag::abs(ag::tensor({-3, 0, 2})), HasValues({3, 0, 2}));
  CHECK_THAT(ag::sigmoid(ag::tensor({0, 2, -2})), HasValues({0.5, 1 / (1 + std::exp(-2.0)), 1 / (1 + e * e)}));
  CHECK_THAT(ag::tanh(ag::tensor({0, 1, -3})), HasValues({0, std::tanh(1.0), std::tanh(-3.0)}));
  CHECK_THAT(ag::relu(ag::tensor({-1, 0, 2})), HasValues({0, 0, 2}));
  CHECK_THAT(ag::clamp(ag::tensor({-2, 0.3, 5}), -1, 1), HasValues({-1, 0.3, 1}));
  CHECK(ag::exp(ag::ones({2, 1, 3}, ag::kFloat64)).shape() == ag::Shape{2, 1, 3});
  CHECK(ag::exp(ag::ones({2}, ag::kFloat64)).dtype() == ag::kFloat64);
}

TEST_CASE("unary ops pass gradcheck on 0-d, 1-D and size-1 shapes and with a reused input", "[ops][elementwise]") {
  ag::manual_seed(5);
  SECTION("neg") { check_unary_gradients(ag::neg, normal); }
  SECTION("exp") { check_unary_gradients(ag::exp, normal); }
  SECTION("log") { check_unary_gradients(ag::log, positive); }
  SECTION("sqrt") { check_unary_gradients(ag::sqrt, positive); }
  SECTION("abs") { check_unary_gradients(ag::abs, off_zero); }
  SECTION("sigmoid") { check_unary_gradients(ag::sigmoid, normal); }
  SECTION("tanh") { check_unary_gradients(ag::tanh, normal); }
  SECTION("relu") { check_unary_gradients(ag::relu, off_zero); }
}

TEST_CASE("abs and relu pass a zero gradient at their kink, as PyTorch does", "[ops][elementwise]") {
  auto x = ag::tensor({-2, 0, 3}, ag::requires_grad());
  ag::sum(ag::abs(x) + ag::relu(x)).backward();
  CHECK_THAT(x.grad(), HasValues({-1, 0, 2}));
}

TEST_CASE("sigmoid stays finite for large inputs, in value and gradient", "[ops][elementwise]") {
  for (ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
    auto x = ag::tensor({-1000, 1000}, ag::dtype(dtype).requires_grad(true));
    const auto y = ag::sigmoid(x);
    CHECK_THAT(y, HasValues({0, 1}));
    ag::sum(y).backward();
    CHECK_THAT(x.grad(), HasValues({0, 0}));
  }
}

TEST_CASE("clamp passes the gradient inside the bounds and none outside", "[ops][elementwise]") {
  const auto values = ag::tensor({-1.5, -0.7, -0.2, 0.3, 0.8, 2.0}, ag::kFloat64);
  auto x = values.detach().requires_grad_();
  ag::sum(ag::clamp(x, -1, 1)).backward();
  CHECK_THAT(x.grad(), HasValues({0, 1, 1, 1, 1, 0}));

  const auto clamp = [](const ag::Tensor& x) { return ag::clamp(x, -1, 1); };
  CHECK_THAT(ag::gradcheck([&](const auto& in) { return clamp(in[0]); }, {values}), PassesGradcheck());
  CHECK_THAT(ag::gradcheck([&](const auto& in) { return clamp(in[0]); }, {values.reshape({2, 1, 3})}),
             PassesGradcheck());
  CHECK_THAT(ag::gradcheck([&](const auto& in) { return clamp(in[0]) * in[0]; }, {values}), PassesGradcheck());
  for (double v : {0.3, 2.0}) {
    INFO("0-d input " << v);
    CHECK_THAT(ag::gradcheck([&](const auto& in) { return clamp(in[0]); }, {ag::scalar(v, ag::kFloat64)}),
               PassesGradcheck());
  }
}

TEST_CASE("clamp refuses a minimum above the maximum", "[ops][elementwise][errors]") {
  CHECK_THROWS_WITH(ag::clamp(ag::zeros({3}), 1, -1), StartsWith("clamp:") && Contains("[3]"));
}

TEST_CASE("maximum and minimum pick elementwise with broadcasting", "[ops][elementwise]") {
  const auto a = ag::tensor({1, 5, 3});
  const auto b = ag::tensor({4, 2, 3});
  CHECK_THAT(ag::maximum(a, b), HasValues({4, 5, 3}));
  CHECK_THAT(ag::minimum(a, b), HasValues({1, 2, 3}));
  const auto column = ag::tensor({{0}, {2}});
  CHECK((ag::maximum(column, ag::tensor({1, 3}))).shape() == ag::Shape{2, 2});
  CHECK_THAT(ag::maximum(column, ag::tensor({1, 3})), HasValues({1, 3, 2, 3}));
  CHECK_THAT(ag::minimum(column, ag::tensor({1, 3})), HasValues({0, 0, 1, 2}));
}

TEST_CASE("maximum and minimum send the gradient to the winner, broadcasting and reusing inputs",
          "[ops][elementwise]") {
  ag::manual_seed(6);
  SECTION("maximum") {
    check_binary_gradients([](const ag::Tensor& a, const ag::Tensor& b) { return ag::maximum(a, b); }, normal, normal);
  }
  SECTION("minimum") {
    check_binary_gradients([](const ag::Tensor& a, const ag::Tensor& b) { return ag::minimum(a, b); }, normal, normal);
  }
}

TEST_CASE("maximum and minimum split the gradient evenly on ties", "[ops][elementwise]") {
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

TEST_CASE("comparisons give bool tensors, with broadcasting, numbers on either side and no gradient",
          "[ops][elementwise]") {
  const auto a = ag::tensor({1, 2, 3}, ag::kFloat64);
  const auto b = ag::tensor({2, 2, 2}, ag::kFloat64);
  CHECK_THAT(ag::eq(a, b), HasValues({0, 1, 0}));
  CHECK_THAT(ag::ne(a, b), HasValues({1, 0, 1}));
  CHECK_THAT(ag::lt(a, b), HasValues({1, 0, 0}));
  CHECK_THAT(ag::le(a, b), HasValues({1, 1, 0}));
  CHECK_THAT(ag::gt(a, b), HasValues({0, 0, 1}));
  CHECK_THAT(ag::ge(a, b), HasValues({0, 1, 1}));
  CHECK_THAT(a < b, HasValues({1, 0, 0}));
  CHECK_THAT(a >= b, HasValues({0, 1, 1}));
  CHECK_THAT(a == b, HasValues({0, 1, 0}));
  CHECK_THAT(a != b, HasValues({1, 0, 1}));
  CHECK_THAT(a > 1.5, HasValues({0, 1, 1}));
  CHECK_THAT(a <= 2.0, HasValues({1, 1, 0}));
  CHECK_THAT(0.5 < a, HasValues({1, 1, 1}));
  CHECK_THAT(2 == a, HasValues({0, 1, 0}));
  CHECK(ag::eq(a, b).dtype() == ag::kBool);
  CHECK((a > 1).dtype() == ag::kBool);

  const auto grid = ag::gt(ag::tensor({{1}, {3}}), ag::tensor({0, 2, 4}));
  CHECK(grid.shape() == ag::Shape{2, 3});
  CHECK_THAT(grid, HasValues({1, 0, 0, 1, 1, 0}));

  const auto x = ag::tensor({1, 2}, ag::requires_grad());
  CHECK_FALSE(ag::lt(x, x * 2).requires_grad());
  CHECK_FALSE(ag::eq(x, x).requires_grad());
}

TEST_CASE("comparisons of int64 keep every digit and promote against floats", "[ops][elementwise][dtype]") {
  const auto big = ag::full({2}, 16777217.0, ag::kInt64);
  CHECK_THAT(big == ag::full({2}, 16777216.0, ag::kInt64), HasValues({0, 0}));
  CHECK_THAT(ag::tensor({1, 2, 3}, ag::kInt64) < ag::tensor({1.5, 1.5, 3.5}), HasValues({1, 0, 1}));
  CHECK_THAT(ag::tensor({1, 0}, ag::kBool) == ag::tensor({1, 1}, ag::kInt64), HasValues({1, 0}));
}

TEST_CASE("where picks from a or b by a broadcast bool condition, with numbers on either side", "[ops][elementwise]") {
  const auto condition = ag::tensor({1, 0, 1}, ag::kBool);
  CHECK_THAT(ag::where(condition, ag::tensor({1, 2, 3}), ag::tensor({10, 20, 30})), HasValues({1, 20, 3}));
  const auto picked = ag::where(ag::tensor({{1}, {0}}, ag::kBool), ag::tensor({1, 2, 3}), ag::scalar(-1.0));
  CHECK(picked.shape() == ag::Shape{2, 3});
  CHECK(picked.dtype() == ag::kFloat32);
  CHECK_THAT(picked, HasValues({1, 2, 3, -1, -1, -1}));
  CHECK_THAT(ag::where(condition, ag::tensor({1, 2, 3}), 0.0), HasValues({1, 0, 3}));
  CHECK_THAT(ag::where(condition, 7, ag::tensor({1, 2, 3})), HasValues({7, 2, 7}));
  CHECK(ag::where(condition, ag::tensor({1, 2, 3}, ag::kInt64), 0).dtype() == ag::kInt64);
  CHECK(ag::where(condition, ag::tensor({1, 2, 3}, ag::kInt64), 0.5).dtype() == ag::kFloat32);
}

TEST_CASE("masked_fill writes a value where the mask holds and passes the gradient elsewhere", "[ops][elementwise]") {
  auto x = ag::tensor({{1, 2, 3}, {4, 5, 6}}, ag::dtype(ag::kFloat64).requires_grad(true));
  const auto mask = ag::tensor({1, 0, 1}, ag::kBool);
  const auto filled = x.masked_fill(mask, -INFINITY);
  CHECK_THAT(filled, HasValues({-INFINITY, 2, -INFINITY, -INFINITY, 5, -INFINITY}));
  ag::sum(ag::masked_fill(x, mask, 0.0)).backward();
  CHECK_THAT(x.grad(), HasValues({0, 1, 0, 0, 1, 0}));
  ag::manual_seed(9);
  CHECK_THAT(ag::gradcheck([&](const auto& in) { return ag::masked_fill(in[0], mask, 3.0); }, {normal({2, 3})}),
             PassesGradcheck());
  CHECK_THAT(ag::masked_fill(ag::tensor({1, 2}, ag::kInt64), ag::tensor({0, 1}, ag::kBool), 9), HasValues({1, 9}));
  CHECK_THROWS_WITH(ag::masked_fill(x, ag::tensor({1, 0, 1}), 0.0),
                    "masked_fill: the mask must be a bool tensor, got float32 (shape [3]); make one with a comparison "
                    "such as x > 0");
  CHECK_THROWS_WITH(ag::masked_fill(x, ag::tensor({1, 0}, ag::kBool), 0.0), StartsWith("masked_fill:"));
}

TEST_CASE("where sends the gradient to the picked input, summed back over broadcasting", "[ops][elementwise]") {
  auto a = ag::tensor({{1, 2, 3}, {4, 5, 6}}, ag::requires_grad());
  auto b = ag::tensor({7, 8, 9}, ag::requires_grad());
  ag::sum(ag::where(ag::tensor({{1, 0, 1}, {0, 0, 1}}, ag::kBool), a, b)).backward();
  CHECK_THAT(a.grad(), HasValues({1, 0, 1, 0, 0, 1}));
  CHECK_THAT(b.grad(), HasValues({1, 2, 0}));

  ag::manual_seed(7);
  const auto condition = normal({2, 3}) > 0.0;
  const auto where = [&](const std::vector<ag::Tensor>& in) { return ag::where(condition, in[0], in[1]); };
  CHECK_THAT(ag::gradcheck(where, {normal({2, 3}), normal({2, 3})}), PassesGradcheck());
  CHECK_THAT(ag::gradcheck(where, {normal({3}), normal({})}), PassesGradcheck());
  CHECK_THAT(ag::gradcheck(where, {normal({2, 1}), normal({1, 3})}), PassesGradcheck());
}

TEST_CASE("where with one input in both branches builds abs", "[ops][elementwise]") {
  ag::manual_seed(8);
  const auto x = off_zero({2, 3});
  const auto by_hand = [](const std::vector<ag::Tensor>& in) { return ag::where(in[0] > 0.0, in[0], -in[0]); };
  CHECK_THAT(by_hand({x}), HasValues(ag::abs(x).to_vector()));
  CHECK_THAT(ag::gradcheck(by_hand, {x}), PassesGradcheck());
}

TEST_CASE("binary ops name themselves and both shapes when the shapes do not broadcast", "[ops][elementwise][errors]") {
  const auto a = ag::zeros({2, 3});
  const auto b = ag::zeros({4});
  CHECK_THROWS_WITH(ag::add(a, b), "add: shapes [2, 3] and [4] cannot be broadcast together (dimension 1: 3 vs 4)");

  const std::vector<std::pair<std::string, Binary>> ops = {
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

TEST_CASE("where refuses mismatched shapes, dtypes and a condition that is not bool", "[ops][elementwise][errors]") {
  const auto yes = [](const ag::Shape& shape) { return ag::ones(shape, ag::kBool); };
  CHECK_THROWS_WITH(ag::where(yes({4}), ag::zeros({2, 3}), ag::zeros({2, 3})),
                    StartsWith("where:") && Contains("[4]") && Contains("[2, 3]"));
  CHECK_THROWS_WITH(ag::where(yes({2}), ag::zeros({2}), ag::zeros({3})),
                    StartsWith("where:") && Contains("[2]") && Contains("[3]"));
  CHECK_THROWS_WITH(ag::where(yes({2}), ag::zeros({2}), ag::zeros({2}, ag::kFloat64)),
                    StartsWith("where:") && Contains("float32") && Contains("float64"));
  CHECK_THROWS_WITH(ag::where(ag::zeros({2}), ag::zeros({2}), ag::zeros({2})),
                    StartsWith("where: the mask must be a bool tensor, got float32"));
}

TEST_CASE("log1p, expm1, erf, softplus, gelu and silu compute PyTorch's values", "[ops][elementwise]") {
  const auto x = ag::tensor({-2, 0, 1e-10, 3}, ag::kFloat64);
  CHECK_THAT(ag::log1p(x.slice(0, 1, 4)), HasValues({0, 1e-10, std::log(4.0)}, 1e-15));
  CHECK_THAT(ag::expm1(x), HasValues({std::expm1(-2.0), 0, 1e-10, std::expm1(3.0)}, 1e-15));
  CHECK_THAT(ag::erf(x), HasValues({std::erf(-2.0), 0, std::erf(1e-10), std::erf(3.0)}));
  CHECK_THAT(ag::softplus(x), HasValues({std::log1p(std::exp(-2.0)), std::log(2.0), std::log1p(std::exp(1e-10)),
                                         std::log1p(std::exp(3.0))}));
  CHECK_THAT(ag::softplus(ag::tensor({30, 1}), 2.0, 20.0), HasValues({30, std::log1p(std::exp(2.0)) / 2}));
  // torch.nn.functional.gelu(torch.tensor([-2., 0., 1., 3.]), approximate=...) in float64
  const auto y = ag::tensor({-2, 0, 1, 3}, ag::kFloat64);
  CHECK_THAT(ag::gelu(y), HasValues({-0.04550026389635842, 0, 0.8413447460685429, 2.9959507790543757}));
  CHECK_THAT(ag::gelu(y, "tanh"), HasValues({-0.04540230591222236, 0, 0.8411919906082768, 2.9963626299319254}));
  CHECK_THAT(ag::silu(y), HasValues({-2 / (1 + std::exp(2.0)), 0, 1 / (1 + std::exp(-1.0)), 3 / (1 + std::exp(-3.0))}));
  CHECK_THAT(ag::clamp_min(y, 0.5), HasValues({0.5, 0.5, 1, 3}));
  CHECK_THAT(y.clamp_max(0.5), HasValues({-2, 0, 0.5, 0.5}));
  CHECK_THAT(ag::clamp(y, std::nullopt, 1.0), HasValues({-2, 0, 1, 1}));
  CHECK_THAT(ag::maximum(y, 0.0), HasValues({0, 0, 1, 3}));
  CHECK_THAT(ag::minimum(1, y), HasValues({-2, 0, 1, 1}));
  CHECK_THROWS_WITH(ag::gelu(y, "fast"), "gelu: approximate must be \"none\" or \"tanh\", got \"fast\"");
  CHECK_THROWS_WITH(ag::clamp(y, std::nullopt, std::nullopt), StartsWith("clamp: give at least one of min and max"));
}

TEST_CASE("log1p, expm1, erf, softplus, gelu, silu and one-sided clamps pass gradcheck", "[ops][elementwise]") {
  ag::manual_seed(10);
  SECTION("log1p") { check_unary_gradients(ag::log1p, positive); }
  SECTION("expm1") { check_unary_gradients(ag::expm1, normal); }
  SECTION("erf") { check_unary_gradients(ag::erf, normal); }
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
  SECTION("clamp_min") {
    check_unary_gradients([](const ag::Tensor& x) { return ag::clamp_min(x, 0.05); }, off_zero);
  }
  SECTION("clamp_max") {
    check_unary_gradients([](const ag::Tensor& x) { return ag::clamp_max(x, 0.05); }, off_zero);
  }
}

TEST_CASE("mixed dtypes promote as in PyTorch: bool < int64 < float, 0-d operands do not widen",
          "[ops][elementwise][dtype]") {
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
  CHECK_THAT(ag::gradcheck([&](const auto& in) { return in[0] * mask + mask * in[0] * in[0]; },
                           {ag::randn({2, 3}, ag::kFloat64)}),
             PassesGradcheck());

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
          "[ops][elementwise][inplace]") {
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
