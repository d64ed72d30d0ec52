#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"
#include "reduce_by_hand.hpp"
#include "tensor_matchers.hpp"
#include "test_tensors.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

using Catch::Contains;
using Catch::StartsWith;

namespace {

std::vector<std::int64_t> int64s(const ag::Tensor& t) { return t.to_vector<std::int64_t>(); }

}  // namespace

TEST_CASE("amax and amin reduce along single, negative and multiple dims, with and without keepdim",
          "[ops][reduction][max_min]") {
  ag::manual_seed(20);
  const auto x = normal({2, 3, 4});
  const auto largest = [](double best, double v) { return std::max(best, v); };
  const auto smallest = [](double best, double v) { return std::min(best, v); };
  for (const Reduction& r : kReductions) {
    INFO(r.describe());
    CHECK(ag::amax(x, r.dims, r.keepdim).shape() == r.result);
    CHECK_THAT(ag::amax(x, r.dims, r.keepdim), HasValues(reduce_by_hand(x, r, -INFINITY, largest)));
    CHECK(x.amin(r.dims, r.keepdim).shape() == r.result);
    CHECK_THAT(x.amin(r.dims, r.keepdim), HasValues(reduce_by_hand(x, r, INFINITY, smallest)));
  }
}

TEST_CASE("max and min without dims reduce everything to a 0-d tensor of the input's dtype",
          "[ops][reduction][max_min]") {
  const auto x = ag::tensor({{1, 2, 3}, {4, 8, -6}});
  CHECK(ag::max(x).shape() == ag::Shape{});
  CHECK(ag::max(x).item() == 8.0);
  CHECK(x.min().item() == -6.0);
  CHECK(x.max().dtype() == ag::kFloat32);
  CHECK(ag::max(ag::scalar(2.5)).item() == 2.5);
  CHECK(ag::amax(ag::scalar(2.5), {0}, true).shape() == ag::Shape{});
  CHECK(ag::min(ag::tensor({-INFINITY, 0})).item() == -INFINITY);
}

TEST_CASE("max and min over everything split the gradient equally among tied elements", "[ops][reduction][max_min]") {
  auto x = ag::tensor({{1, 3}, {3, 0}}, ag::requires_grad());
  ag::max(x).backward();
  CHECK_THAT(x.grad(), HasValues({0, 0.5, 0.5, 0}));

  auto y = ag::tensor({2, 2, 5, 2}, ag::requires_grad());
  (ag::min(y) * 6.0).backward();
  CHECK_THAT(y.grad(), HasValues({2, 2, 0, 2}));
}

TEST_CASE("amax and amin split each group's gradient equally among its tied elements", "[ops][reduction][max_min]") {
  auto x = ag::tensor({{1, 3, 3}, {2, 0, 2}}, ag::requires_grad());
  const auto rows = ag::amax(x, {1});
  CHECK_THAT(rows, HasValues({3, 2}));
  ag::sum(rows * ag::tensor({10, 100})).backward();
  CHECK_THAT(x.grad(), HasValues({0, 5, 5, 50, 0, 50}));

  // A three-way tie over two dims: torch.tensor([[4., 1], [4, 4]]).amax((0, 1)) sends 1/3 to each 4.
  auto y = ag::tensor({{4, 1}, {4, 4}}, ag::requires_grad());
  ag::amax(y, {0, 1}).backward();
  CHECK_THAT(y.grad(), HasValues({1.0 / 3, 0, 1.0 / 3, 1.0 / 3}));

  auto z = ag::tensor({{5, 5}, {7, 5}}, ag::requires_grad());
  ag::sum(ag::amin(z, {0}, true)).backward();
  CHECK_THAT(z.grad(), HasValues({1, 0.5, 0, 0.5}));
}

TEST_CASE("amax, amin, max and min pass gradcheck and gradgradcheck along every kind of dims",
          "[ops][reduction][max_min]") {
  ag::manual_seed(21);
  const auto x = normal({2, 3, 4});  // no ties, so the gradient exists
  for (const Reduction& r : kReductions) {
    INFO(r.describe());
    check_gradients_twice([&](const auto& in) { return ag::amax(in[0], r.dims, r.keepdim); }, {x});
    check_gradients_twice([&](const auto& in) { return ag::amin(in[0], r.dims, r.keepdim); }, {x});
  }
  for (std::int64_t dim : {0, 1, 2, -1}) {
    for (bool keepdim : {false, true}) {
      INFO("dim " << dim << ", keepdim " << keepdim);
      check_gradients_twice([&](const auto& in) { return ag::max(in[0], dim, keepdim).values; }, {x});
      check_gradients_twice([&](const auto& in) { return ag::min(in[0], dim, keepdim).values; }, {x});
    }
  }
  const auto s = normal({});
  check_gradients_twice([](const auto& in) { return ag::max(in[0]); }, {s});
  check_gradients_twice([](const auto& in) { return ag::min(in[0], 0).values; }, {s});
  INFO("input reused: max(x) * x and max(x, 1) * x");
  check_gradients_twice([](const auto& in) { return ag::max(in[0]) * in[0]; }, {normal({2, 3})});
  check_gradients_twice([](const auto& in) { return ag::max(in[0], 1, true).values * in[0]; }, {normal({2, 3})});
}

TEST_CASE("amax and max split the gradient among ties, and its own gradient too, under create_graph",
          "[ops][reduction][max_min][higher_order]") {
  // y = amax(x)² over a three-way tie of 4s: dy/dx = 2 y share = 8/3 at each 4, and d(sum dy/dx)/dx = 2 share.
  const auto x = ag::tensor({{4, 1}, {4, 4}}, ag::kFloat64).requires_grad_();
  const auto y = ag::amax(x, {0, 1});
  const auto dx = ag::grad({y * y}, {x}, {.create_graph = true})[0];
  REQUIRE(dx.requires_grad());
  CHECK_THAT(dx, HasValues({8.0 / 3, 0, 8.0 / 3, 8.0 / 3}));
  CHECK_THAT(ag::grad({ag::sum(dx)}, {x})[0], HasValues({2.0 / 3, 0, 2.0 / 3, 2.0 / 3}));

  // Along one dim the first extreme takes it all, at every order.
  const auto z = ag::tensor({{5, 5}, {7, 5}}, ag::kFloat64).requires_grad_();
  const auto m = ag::min(z, 0).values;
  const auto dz = ag::grad({ag::sum(m * m)}, {z}, {.create_graph = true})[0];
  REQUIRE(dz.requires_grad());
  CHECK_THAT(dz, HasValues({10, 10, 0, 0}));
  CHECK_THAT(ag::grad({ag::sum(dz)}, {z})[0], HasValues({2, 2, 0, 0}));
}

TEST_CASE("max and min along a dim give values and int64 indices of the first extreme", "[ops][reduction][max_min]") {
  const auto x = ag::tensor({{1, 3, 3}, {2, 0, 2}});
  const auto [values, indices] = ag::max(x, 1);
  CHECK(values.shape() == ag::Shape{2});
  CHECK_THAT(values, HasValues({3, 2}));
  CHECK(indices.dtype() == ag::kInt64);
  CHECK(int64s(indices) == std::vector<std::int64_t>{1, 0});

  const auto columns = ag::max(x, 0);
  CHECK_THAT(columns.values, HasValues({2, 3, 3}));
  CHECK(int64s(columns.indices) == std::vector<std::int64_t>{1, 0, 0});

  const auto smallest = ag::min(x, -1, true);
  CHECK(smallest.values.shape() == ag::Shape{2, 1});
  CHECK(smallest.indices.shape() == ag::Shape{2, 1});
  CHECK_THAT(smallest.values, HasValues({1, 0}));
  CHECK(int64s(smallest.indices) == std::vector<std::int64_t>{0, 1});

  const auto scalar = ag::max(ag::scalar(2.5), 0);
  CHECK(scalar.values.shape() == ag::Shape{});
  CHECK(scalar.values.item() == 2.5);
  CHECK(scalar.indices.item<std::int64_t>() == 0);
}

TEST_CASE("max and min along a dim send the gradient to the first extreme only", "[ops][reduction][max_min]") {
  auto x = ag::tensor({{1, 3, 3}, {2, 0, 2}}, ag::requires_grad());
  ag::sum(ag::max(x, 1).values * ag::tensor({10, 100})).backward();
  CHECK_THAT(x.grad(), HasValues({0, 10, 0, 100, 0, 0}));

  auto y = ag::tensor({{5, 5}, {7, 5}}, ag::requires_grad());
  ag::sum(ag::min(y, 0, true).values).backward();
  CHECK_THAT(y.grad(), HasValues({1, 1, 0, 0}));
  CHECK_FALSE(ag::min(y, 0).indices.requires_grad());
}

TEST_CASE("NaN wins in max, min, amax and their indices, as in PyTorch", "[ops][reduction][max_min]") {
  const auto x = ag::tensor({1, NAN, 3});
  CHECK(std::isnan(ag::max(x).item()));
  CHECK(std::isnan(ag::min(x).item()));
  CHECK(std::isnan(ag::amax(ag::tensor({{1, 2}, {NAN, 0}}), {1}).at({1})));
  CHECK(ag::amax(ag::tensor({{1, 2}, {NAN, 0}}), {1}).at({0}) == 2.0);
  CHECK(ag::max(x, 0).indices.item<std::int64_t>() == 1);
  CHECK(ag::argmax(x).item<std::int64_t>() == 1);
  CHECK(ag::argmin(ag::tensor({1, 0, NAN, NAN})).item<std::int64_t>() == 2);

  // The NaN is the maximum, so it gets the gradient (torch.max on the CPU does the same).
  auto y = ag::tensor({1, NAN, 3}, ag::requires_grad());
  ag::max(y).backward();
  CHECK_THAT(y.grad(), HasValues({0, 1, 0}));
}

TEST_CASE("max, min and amax take int64 and bool tensors and keep their dtype", "[ops][reduction][max_min]") {
  const auto i = ag::tensor({{3, -7, 5}, {5, 0, -1}}, ag::kInt64);
  CHECK(ag::max(i).dtype() == ag::kInt64);
  CHECK(ag::max(i).item<std::int64_t>() == 5);
  CHECK(ag::min(i).item<std::int64_t>() == -7);
  CHECK(ag::amax(i, {0}).dtype() == ag::kInt64);
  CHECK(int64s(ag::amax(i, {0})) == std::vector<std::int64_t>{5, 0, 5});
  const auto along = ag::max(i, 1);
  CHECK(int64s(along.values) == std::vector<std::int64_t>{5, 5});
  CHECK(int64s(along.indices) == std::vector<std::int64_t>{2, 0});

  const auto b = ag::tensor({{0, 1}, {0, 0}}, ag::kBool);
  CHECK(ag::max(b).dtype() == ag::kBool);
  CHECK(ag::max(b).item<bool>());
  CHECK_FALSE(ag::min(b).item<bool>());
  CHECK_THAT(ag::amax(b, {1}), HasValues({1, 0}));
  CHECK(int64s(ag::argmax(b, 1)) == std::vector<std::int64_t>{1, 0});
}

TEST_CASE("argmax and argmin give int64 indices of the first extreme, flat or along a dim",
          "[ops][reduction][max_min]") {
  const auto x = ag::tensor({{1, 5, 5}, {7, 0, 7}});
  CHECK(ag::argmax(x).shape() == ag::Shape{});
  CHECK(ag::argmax(x).dtype() == ag::kInt64);
  CHECK(ag::argmax(x).item<std::int64_t>() == 3);
  CHECK(x.argmin().item<std::int64_t>() == 4);
  CHECK(int64s(ag::argmax(x, 1)) == std::vector<std::int64_t>{1, 0});
  CHECK(int64s(x.argmax(0)) == std::vector<std::int64_t>{1, 0, 1});
  CHECK(int64s(x.argmin(-1)) == std::vector<std::int64_t>{0, 1});
  CHECK(ag::argmax(x, -1, true).shape() == ag::Shape{2, 1});
  CHECK(int64s(ag::argmin(x, 0, true)) == std::vector<std::int64_t>{0, 1, 0});
  CHECK(ag::argmax(ag::scalar(4.0)).item<std::int64_t>() == 0);
  CHECK(ag::argmax(ag::scalar(4.0), 0).shape() == ag::Shape{});

  ag::manual_seed(22);
  const auto cube = normal({2, 3, 4});
  const auto along_middle = ag::argmax(cube, 1);
  CHECK(along_middle.shape() == ag::Shape{2, 4});
  for (std::int64_t i = 0; i < 2; ++i)
    for (std::int64_t k = 0; k < 4; ++k) {
      std::int64_t best = 0;
      for (std::int64_t j = 1; j < 3; ++j)
        if (cube.at({i, j, k}) > cube.at({i, best, k})) best = j;
      CHECK(along_middle.at({i, k}) == static_cast<double>(best));
    }
}

TEST_CASE("argmax keeps every digit of an index beyond float32's 2^24", "[ops][reduction][max_min]") {
  const std::int64_t last = 16777217;  // 2^24 + 1: float32 would round it to 2^24
  auto flags = ag::zeros({last + 1}, ag::kBool);
  flags.mutable_data<bool>()[last] = true;
  CHECK(ag::argmax(flags).item<std::int64_t>() == last);
  CHECK(ag::argmax(flags, 0).item<std::int64_t>() == last);
  auto all_but_last = ag::ones({last + 1}, ag::kBool);
  all_but_last.mutable_data<bool>()[last] = false;
  CHECK(ag::argmin(all_but_last).item<std::int64_t>() == last);
}

TEST_CASE("argmax and argmin carry no gradient", "[ops][reduction][max_min]") {
  const auto x = ag::tensor({1, 3, 2}, ag::requires_grad());
  CHECK_FALSE(ag::argmax(x).requires_grad());
  CHECK_FALSE(ag::argmax(x, 0).requires_grad());
  CHECK_FALSE(ag::argmin(x).requires_grad());
  CHECK_FALSE(ag::argmin(x, 0, true).requires_grad());
}

TEST_CASE("max and min over non-empty dims of an empty tensor give an empty result, as PyTorch",
          "[ops][reduction][max_min]") {
  const auto empty = ag::zeros({0, 3});
  CHECK(ag::amax(empty, {1}).shape() == ag::Shape{0});
  CHECK(ag::amin(empty, {1}, true).shape() == ag::Shape{0, 1});
  const auto along = ag::max(empty, 1);
  CHECK(along.values.shape() == ag::Shape{0});
  CHECK(along.indices.shape() == ag::Shape{0});
  CHECK(ag::argmin(empty, 1).shape() == ag::Shape{0});
}

TEST_CASE("max, min and arg variants name the op and shape for empty reductions and bad dims",
          "[ops][reduction][max_min][errors]") {
  const auto empty = ag::zeros({0, 3});
  CHECK_THROWS_WITH(ag::max(empty), "max: the reduced dimensions of shape [0, 3] are empty, so there is no maximum");
  CHECK_THROWS_WITH(ag::min(empty), "min: the reduced dimensions of shape [0, 3] are empty, so there is no minimum");
  CHECK_THROWS_WITH(ag::amax(empty, {0}),
                    "amax: the reduced dimensions of shape [0, 3] are empty, so there is no maximum");
  CHECK_THROWS_WITH(ag::argmax(empty), StartsWith("argmax:") && Contains("[0, 3]"));
  CHECK_THROWS_WITH(ag::argmin(empty, 0), StartsWith("argmin:") && Contains("[0, 3]"));
  CHECK_THROWS_WITH(ag::max(ag::zeros({3, 0}), 1), StartsWith("max:") && Contains("[3, 0]"));

  const auto x = ag::zeros({2, 3});
  CHECK_THROWS_WITH(ag::amax(x, {0, -2}), "amax: dim -2 appears twice in [0, -2]");
  CHECK_THROWS_WITH(ag::amin(x, {2}), "amin: dim 2 is out of range for a tensor with 2 dimensions (expected [-2, 1])");
  CHECK_THROWS_WITH(ag::max(x, 2), StartsWith("max:") && Contains("out of range"));
  CHECK_THROWS_WITH(ag::argmax(x, -3), StartsWith("argmax:") && Contains("out of range"));
}
