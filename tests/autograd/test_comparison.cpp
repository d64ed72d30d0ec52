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

TEST_CASE("comparisons give bool tensors, with broadcasting, numbers on either side and no gradient",
          "[ops][comparison]") {
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

TEST_CASE("comparisons of int64 keep every digit and promote against floats", "[ops][comparison][dtype]") {
  const auto big = ag::full({2}, 16777217.0, ag::kInt64);
  CHECK_THAT(big == ag::full({2}, 16777216.0, ag::kInt64), HasValues({0, 0}));
  CHECK_THAT(ag::tensor({1, 2, 3}, ag::kInt64) < ag::tensor({1.5, 1.5, 3.5}), HasValues({1, 0, 1}));
  CHECK_THAT(ag::tensor({1, 0}, ag::kBool) == ag::tensor({1, 1}, ag::kInt64), HasValues({1, 0}));
}

TEST_CASE("where picks from a or b by a broadcast bool condition, with numbers on either side", "[ops][comparison]") {
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

TEST_CASE("masked_fill writes a value where the mask holds and passes the gradient elsewhere", "[ops][comparison]") {
  auto x = ag::tensor({{1, 2, 3}, {4, 5, 6}}, ag::dtype(ag::kFloat64).requires_grad(true));
  const auto mask = ag::tensor({1, 0, 1}, ag::kBool);
  const auto filled = x.masked_fill(mask, -INFINITY);
  CHECK_THAT(filled, HasValues({-INFINITY, 2, -INFINITY, -INFINITY, 5, -INFINITY}));
  ag::sum(ag::masked_fill(x, mask, 0.0)).backward();
  CHECK_THAT(x.grad(), HasValues({0, 1, 0, 0, 1, 0}));
  ag::manual_seed(9);
  check_gradients_twice([&](const auto& in) { return ag::masked_fill(in[0], mask, 3.0); }, {normal({2, 3})});
  check_gradients_twice([&](const auto& in) { return ag::masked_fill(in[0], mask, 3.0) * in[0]; }, {normal({2, 3})});
  CHECK_THAT(ag::masked_fill(ag::tensor({1, 2}, ag::kInt64), ag::tensor({0, 1}, ag::kBool), 9), HasValues({1, 9}));
  CHECK_THROWS_WITH(ag::masked_fill(x, ag::tensor({1, 0, 1}), 0.0),
                    "masked_fill: the mask must be a bool tensor, got float32 (shape [3]); make one with a comparison "
                    "such as x > 0");
  CHECK_THROWS_WITH(ag::masked_fill(x, ag::tensor({1, 0}, ag::kBool), 0.0), StartsWith("masked_fill:"));
}

TEST_CASE("where sends the gradient to the picked input, summed back over broadcasting", "[ops][comparison]") {
  auto a = ag::tensor({{1, 2, 3}, {4, 5, 6}}, ag::requires_grad());
  auto b = ag::tensor({7, 8, 9}, ag::requires_grad());
  ag::sum(ag::where(ag::tensor({{1, 0, 1}, {0, 0, 1}}, ag::kBool), a, b)).backward();
  CHECK_THAT(a.grad(), HasValues({1, 0, 1, 0, 0, 1}));
  CHECK_THAT(b.grad(), HasValues({1, 2, 0}));

  ag::manual_seed(7);
  const auto condition = normal({2, 3}) > 0.0;
  const auto where = [&](const std::vector<ag::Tensor>& in) { return ag::where(condition, in[0], in[1]); };
  check_gradients_twice(where, {normal({2, 3}), normal({2, 3})});
  check_gradients_twice(where, {normal({3}), normal({})});
  check_gradients_twice(where, {normal({2, 1}), normal({1, 3})});
  INFO("inputs reused: where(c, a, b) * a * b");
  check_gradients_twice([&](const auto& in) { return where(in) * in[0] * in[1]; }, {normal({2, 1}), normal({1, 3})});
}

TEST_CASE("where with one input in both branches builds abs", "[ops][comparison]") {
  ag::manual_seed(8);
  const auto x = off_zero({2, 3});
  const auto by_hand = [](const std::vector<ag::Tensor>& in) { return ag::where(in[0] > 0.0, in[0], -in[0]); };
  CHECK_THAT(by_hand({x}), HasValues(ag::abs(x).to_vector()));
  check_gradients_twice(by_hand, {x});
}

TEST_CASE("where refuses mismatched shapes, dtypes and a condition that is not bool", "[ops][comparison][errors]") {
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
