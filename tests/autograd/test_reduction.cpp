#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"
#include "tensor_matchers.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

using Catch::Contains;
using Catch::StartsWith;

namespace {

ag::Tensor normal(const ag::Shape& shape) { return ag::randn(shape, ag::kFloat64); }

struct Reduction {
  std::vector<std::int64_t> dims;
  bool keepdim;
  ag::Shape result;
};

// Every way of reducing a [2, 3, 4] tensor: one dim, negative dims, several dims, and all (no dims).
const std::vector<Reduction> kReductions = {
    {{0}, false, {3, 4}},    {{1}, true, {2, 1, 4}}, {{-1}, false, {2, 3}},
    {{-1}, true, {2, 3, 1}}, {{0, 2}, false, {3}},   {{2, -3}, true, {1, 3, 1}},
    {{0, 1, 2}, false, {}},  {{}, false, {}},        {{}, true, {1, 1, 1}},
};

std::string describe(const Reduction& r) {
  return fmt::format("dims [{}], keepdim {}", fmt::join(r.dims, ", "), r.keepdim);
}

// The reference: reduces a [2, 3, 4] tensor over `dims` (all when empty) one element at a time.
template <class Combine>
std::vector<double> reduce_by_hand(const ag::Tensor& x, const std::vector<std::int64_t>& dims, double initial,
                                   Combine combine) {
  std::int64_t kept[3] = {2, 3, 4};
  for (int d = 0; d < 3; ++d)
    if (dims.empty() || std::count(dims.begin(), dims.end(), d) || std::count(dims.begin(), dims.end(), d - 3))
      kept[d] = 1;
  std::vector<double> out(static_cast<std::size_t>(kept[0] * kept[1] * kept[2]), initial);
  for (std::int64_t i = 0; i < 2; ++i)
    for (std::int64_t j = 0; j < 3; ++j)
      for (std::int64_t k = 0; k < 4; ++k) {
        double& slot = out[((i % kept[0]) * kept[1] + j % kept[1]) * kept[2] + k % kept[2]];
        slot = combine(slot, x.at({i, j, k}));
      }
  return out;
}

std::vector<double> sum_by_hand(const ag::Tensor& x, const std::vector<std::int64_t>& dims) {
  return reduce_by_hand(x, dims, 0.0, [](double total, double v) { return total + v; });
}

}  // namespace

TEST_CASE("sum, mean and max reduce along single, negative and multiple dims, with and without keepdim",
          "[ops][reduction]") {
  ag::manual_seed(10);
  const auto x = normal({2, 3, 4});
  const auto largest = [](double best, double v) { return std::max(best, v); };
  for (const Reduction& r : kReductions) {
    INFO(describe(r));
    std::vector<double> means = sum_by_hand(x, r.dims);
    for (double& v : means) v /= static_cast<double>(x.numel() / r.result.numel());

    CHECK(ag::sum(x, r.dims, r.keepdim).shape() == r.result);
    CHECK_THAT(ag::sum(x, r.dims, r.keepdim), HasValues(sum_by_hand(x, r.dims)));
    CHECK(x.mean(r.dims, r.keepdim).shape() == r.result);
    CHECK_THAT(x.mean(r.dims, r.keepdim), HasValues(means));
    CHECK(x.max(r.dims, r.keepdim).shape() == r.result);
    CHECK_THAT(x.max(r.dims, r.keepdim), HasValues(reduce_by_hand(x, r.dims, -INFINITY, largest)));
  }
}

TEST_CASE("sum, mean and max without dims reduce everything to a 0-d tensor", "[ops][reduction]") {
  const auto x = ag::tensor({{1, 2, 3}, {4, 8, 6}});
  CHECK(ag::sum(x).shape() == ag::Shape{});
  CHECK(ag::sum(x).item() == 24.0);
  CHECK(ag::mean(x).item() == 4.0);
  CHECK(ag::max(x).item() == 8.0);
  CHECK(ag::sum(x).dtype() == ag::kFloat32);
  CHECK(ag::sum(ag::scalar(2.5)).item() == 2.5);
  CHECK(ag::mean(ag::scalar(2.5)).item() == 2.5);
  CHECK(ag::max(ag::scalar(2.5), {0}, true).shape() == ag::Shape{});
}

TEST_CASE("sum, mean and max pass gradcheck along every kind of dims and on 0-d tensors", "[ops][reduction]") {
  ag::manual_seed(11);
  const auto x = normal({2, 3, 4});
  for (const Reduction& r : kReductions) {
    INFO(describe(r));
    CHECK_THAT(ag::gradcheck([&](const auto& in) { return ag::sum(in[0], r.dims, r.keepdim); }, {x}),
               PassesGradcheck());
    CHECK_THAT(ag::gradcheck([&](const auto& in) { return ag::mean(in[0], r.dims, r.keepdim); }, {x}),
               PassesGradcheck());
    CHECK_THAT(ag::gradcheck([&](const auto& in) { return ag::max(in[0], r.dims, r.keepdim); }, {x}),
               PassesGradcheck());
  }
  const auto s = normal({});
  CHECK_THAT(ag::gradcheck([](const auto& in) { return ag::sum(in[0]); }, {s}), PassesGradcheck());
  CHECK_THAT(ag::gradcheck([](const auto& in) { return ag::mean(in[0]); }, {s}), PassesGradcheck());
  CHECK_THAT(ag::gradcheck([](const auto& in) { return ag::max(in[0]); }, {s}), PassesGradcheck());
  CHECK_THAT(ag::gradcheck([](const auto& in) { return ag::sum(in[0], {-1}, true); }, {s}), PassesGradcheck());
}

TEST_CASE("reductions accumulate gradients when their input is reused", "[ops][reduction]") {
  auto x = ag::tensor({{1, 2}, {3, 4}}, ag::requires_grad());
  ag::sum(x * ag::sum(x)).backward();  // (sum x)^2, so every element gets 2 * sum(x)
  CHECK_THAT(x.grad(), HasValues({20, 20, 20, 20}));

  ag::manual_seed(12);
  const auto f = [](const std::vector<ag::Tensor>& in) {
    const ag::Tensor& x = in[0];
    return ag::sum(x, {1}, true) * x + ag::max(x, {0}) - ag::mean(x, {-1}, true);
  };
  CHECK_THAT(ag::gradcheck(f, {normal({2, 3})}), PassesGradcheck());
}

TEST_CASE("max sends the gradient to the first maximum of each group", "[ops][reduction]") {
  auto x = ag::tensor({{1, 3, 3}, {2, 0, 2}}, ag::requires_grad());
  const auto rows = ag::max(x, {1});
  CHECK_THAT(rows, HasValues({3, 2}));
  ag::sum(rows).backward();
  CHECK_THAT(x.grad(), HasValues({0, 1, 0, 1, 0, 0}));

  auto y = ag::tensor({{1, 3}, {3, 0}}, ag::requires_grad());
  ag::max(y).backward();
  CHECK_THAT(y.grad(), HasValues({0, 1, 0, 0}));
}

TEST_CASE("argmax gives the index of the first maximum, flat or along a dim", "[ops][reduction]") {
  const auto x = ag::tensor({{1, 5, 5}, {7, 0, 7}});
  CHECK(ag::argmax(x).shape() == ag::Shape{});
  CHECK(ag::argmax(x).item() == 3.0);
  CHECK(ag::argmax(x).dtype() == ag::kFloat32);
  CHECK_THAT(ag::argmax(x, 1), HasValues({1, 0}));
  CHECK_THAT(x.argmax(0), HasValues({1, 0, 1}));
  CHECK(ag::argmax(x, -1, true).shape() == ag::Shape{2, 1});
  CHECK_THAT(ag::argmax(x, -1, true), HasValues({1, 0}));
  CHECK(ag::argmax(ag::scalar(4.0)).item() == 0.0);
  CHECK(ag::argmax(ag::scalar(4.0), 0).shape() == ag::Shape{});

  ag::manual_seed(13);
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

TEST_CASE("argmax carries no gradient", "[ops][reduction]") {
  const auto x = ag::tensor({1, 3, 2}, ag::requires_grad());
  CHECK_FALSE(ag::argmax(x).requires_grad());
  CHECK_FALSE(ag::argmax(x, 0).requires_grad());
}

TEST_CASE("sum_to_shape sums a tensor down to a shape that broadcasts to it", "[ops][reduction]") {
  const auto x = ag::tensor({{1, 2, 3}, {4, 5, 6}});
  CHECK(ag::sum_to_shape(x, {3}).shape() == ag::Shape{3});
  CHECK_THAT(ag::sum_to_shape(x, {3}), HasValues({5, 7, 9}));
  CHECK(ag::sum_to_shape(x, {2, 1}).shape() == ag::Shape{2, 1});
  CHECK_THAT(ag::sum_to_shape(x, {2, 1}), HasValues({6, 15}));
  CHECK_THAT(ag::sum_to_shape(x, {1, 3}), HasValues({5, 7, 9}));
  CHECK(ag::sum_to_shape(x, {}).shape() == ag::Shape{});
  CHECK_THAT(ag::sum_to_shape(x, {}), HasValues({21}));

  const auto same = ag::sum_to_shape(x, {2, 3});
  CHECK_FALSE(same.is_same(x));
  CHECK_THAT(same, HasValues({1, 2, 3, 4, 5, 6}));
}

TEST_CASE("sum_to_shape passes gradcheck, broadcasting its gradient back", "[ops][reduction]") {
  ag::manual_seed(14);
  const std::vector<std::pair<ag::Shape, ag::Shape>> from_to = {
      {{2, 3}, {3}},    {{2, 3}, {2, 1}}, {{4, 2, 3}, {1, 3}}, {{4, 2, 3}, {2, 1}}, {{2, 3}, {}},
      {{2, 3}, {2, 3}}, {{}, {}}};
  for (const auto& shapes : from_to) {
    INFO("from " << fmt::format("{} to {}", shapes.first, shapes.second));
    CHECK_THAT(
        ag::gradcheck([&](const auto& in) { return ag::sum_to_shape(in[0], shapes.second); }, {normal(shapes.first)}),
        PassesGradcheck());
  }
  const auto reused = [](const std::vector<ag::Tensor>& in) {
    return ag::sum_to_shape(in[0], {3}) * ag::sum_to_shape(in[0], {2, 1});
  };
  CHECK_THAT(ag::gradcheck(reused, {normal({2, 3})}), PassesGradcheck());
}

TEST_CASE("reductions name the op and shape for bad dims and empty inputs", "[ops][reduction][errors]") {
  const auto x = ag::zeros({2, 3});
  CHECK_THROWS_WITH(ag::sum(x, {2}), "sum: dim 2 is out of range for a tensor with 2 dimensions (expected [-2, 1])");
  CHECK_THROWS_WITH(ag::mean(x, {-3}), StartsWith("mean:") && Contains("-3"));
  CHECK_THROWS_WITH(ag::max(x, {0, -2}), StartsWith("max:") && Contains("appears twice"));
  CHECK_THROWS_WITH(ag::sum(x, {1, 1}), StartsWith("sum:") && Contains("appears twice"));
  CHECK_THROWS_WITH(ag::argmax(x, 2), StartsWith("argmax:") && Contains("out of range"));

  const auto empty = ag::zeros({0, 3});
  CHECK_THROWS_WITH(ag::max(empty), StartsWith("max:") && Contains("[0, 3]"));
  CHECK_THROWS_WITH(ag::argmax(empty), StartsWith("argmax:") && Contains("[0, 3]"));
  CHECK_THROWS_WITH(ag::mean(empty), StartsWith("mean:") && Contains("[0, 3]"));
  CHECK_THROWS_WITH(ag::mean(empty, {0}), StartsWith("mean:") && Contains("[0, 3]"));
}

TEST_CASE("sum_to_shape refuses a shape that does not broadcast to the tensor's", "[ops][reduction][errors]") {
  const auto x = ag::zeros({2, 3});
  CHECK_THROWS_WITH(ag::sum_to_shape(x, {4}), StartsWith("sum_to_shape:") && Contains("[4]") && Contains("[2, 3]"));
  CHECK_THROWS_WITH(ag::sum_to_shape(ag::zeros({3}), {2, 3}),
                    StartsWith("sum_to_shape:") && Contains("[2, 3]") && Contains("[3]"));
}

TEST_CASE("max over a dimension of an empty tensor gives an empty result, as PyTorch", "[ops][reduction]") {
  const auto result = ag::max(ag::zeros({0, 3}), {1});
  CHECK(result.shape() == ag::Shape{0});
  CHECK_THROWS_WITH(ag::max(ag::zeros({3, 0}), {1}), Catch::Contains("max") && Catch::Contains("[3, 0]"));
}
