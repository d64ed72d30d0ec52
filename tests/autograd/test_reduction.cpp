#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"
#include "reduce_by_hand.hpp"
#include "tensor_matchers.hpp"
#include "test_tensors.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

using Catch::Contains;
using Catch::StartsWith;

namespace {

// An int64 tensor holding exactly these values (braces go through double, which stops at 2^53).
ag::Tensor int64_values(const std::vector<std::int64_t>& values) {
  ag::Tensor t = ag::empty({static_cast<std::int64_t>(values.size())}, ag::kInt64);
  std::copy(values.begin(), values.end(), t.mutable_data<std::int64_t>());
  return t;
}

}  // namespace

TEST_CASE("sum and mean reduce along single, negative and multiple dims, with and without keepdim",
          "[ops][reduction]") {
  ag::manual_seed(10);
  const auto x = normal({2, 3, 4});
  for (const Reduction& r : kReductions) {
    INFO(r.describe());
    std::vector<double> means = sum_by_hand(x, r);
    for (double& v : means) v /= group_size(r);

    CHECK(ag::sum(x, r.dims, r.keepdim).shape() == r.result);
    CHECK_THAT(ag::sum(x, r.dims, r.keepdim), HasValues(sum_by_hand(x, r)));
    CHECK(x.mean(r.dims, r.keepdim).shape() == r.result);
    CHECK_THAT(x.mean(r.dims, r.keepdim), HasValues(means));
  }
}

TEST_CASE("sum and mean along one dim match the list form", "[ops][reduction]") {
  const auto x = ag::tensor({{1, 2, 3}, {4, 5, 6}});
  CHECK_THAT(ag::sum(x, 0), HasValues({5, 7, 9}));
  CHECK(x.sum(-1, true).shape() == ag::Shape{2, 1});
  CHECK_THAT(x.sum(-1, true), HasValues({6, 15}));
  CHECK_THAT(ag::mean(x, 1), HasValues({2, 5}));
  CHECK(x.mean(0, true).shape() == ag::Shape{1, 3});
  CHECK_THAT(x.mean(0, true), HasValues({2.5, 3.5, 4.5}));
}

TEST_CASE("sum and mean without dims reduce everything to a 0-d tensor of the input's dtype", "[ops][reduction]") {
  const auto x = ag::tensor({{1, 2, 3}, {4, 8, 6}});
  CHECK(ag::sum(x).shape() == ag::Shape{});
  CHECK(x.sum().item() == 24.0);
  CHECK(x.mean().item() == 4.0);
  CHECK(ag::sum(x).dtype() == ag::kFloat32);
  CHECK(ag::mean(x.to(ag::kFloat64)).dtype() == ag::kFloat64);
  CHECK(ag::sum(ag::scalar(2.5)).item() == 2.5);
  CHECK(ag::mean(ag::scalar(2.5)).item() == 2.5);
  CHECK(ag::sum(ag::scalar(2.5), {0}, true).shape() == ag::Shape{});
}

TEST_CASE("sum of an empty tensor is 0, and of empty groups a tensor of 0s", "[ops][reduction]") {
  CHECK(ag::sum(ag::zeros({0, 3})).item() == 0.0);
  CHECK_THAT(ag::sum(ag::zeros({0, 3}), 0), HasValues({0, 0, 0}));
  CHECK(ag::sum(ag::zeros({0, 3}), 1).shape() == ag::Shape{0});
  CHECK(ag::mean(ag::zeros({0, 3}), 1).shape() == ag::Shape{0});
}

TEST_CASE("sum of int64 and bool tensors is int64, and exact beyond 2^53", "[ops][reduction]") {
  const auto i = ag::tensor({{1, 2, 3}, {4, 5, 6}}, ag::kInt64);
  CHECK(ag::sum(i).dtype() == ag::kInt64);
  CHECK(ag::sum(i).item<std::int64_t>() == 21);
  CHECK(ag::sum(i, 0).dtype() == ag::kInt64);
  CHECK_THAT(ag::sum(i, 0), HasValues({5, 7, 9}));

  const auto b = ag::tensor({{1, 0, 1}, {1, 1, 1}}, ag::kBool);
  CHECK(ag::sum(b).dtype() == ag::kInt64);
  CHECK(ag::sum(b).item<std::int64_t>() == 5);
  CHECK(ag::sum(b, {1}, true).dtype() == ag::kInt64);
  CHECK_THAT(ag::sum(b, {1}, true), HasValues({2, 3}));
  CHECK(b.sum({0, 1}).dtype() == ag::kInt64);

  const std::int64_t two_to_53 = std::int64_t{1} << 53;
  CHECK(ag::sum(int64_values({two_to_53, 1})).item<std::int64_t>() == two_to_53 + 1);
  CHECK(ag::sum(int64_values({two_to_53, 1}), 0).item<std::int64_t>() == two_to_53 + 1);
}

TEST_CASE("sum of float32 over everything accumulates in double", "[ops][reduction]") {
  // In float32, 2^24 + 1 rounds back to 2^24, so a float accumulator would lose both ones.
  const auto x = ag::tensor({16777216, 1, 1});
  CHECK(ag::sum(x).item() == 16777218.0);
}

TEST_CASE("sum and mean pass gradcheck and gradgradcheck along every kind of dims and on 0-d tensors",
          "[ops][reduction]") {
  ag::manual_seed(11);
  const auto x = normal({2, 3, 4});
  for (const Reduction& r : kReductions) {
    INFO(r.describe());
    check_gradients_twice([&](const auto& in) { return ag::sum(in[0], r.dims, r.keepdim); }, {x});
    check_gradients_twice([&](const auto& in) { return ag::mean(in[0], r.dims, r.keepdim); }, {x});
  }
  check_gradients_twice([](const auto& in) { return ag::sum(in[0], -2, true); }, {x});
  check_gradients_twice([](const auto& in) { return ag::mean(in[0], 1); }, {x});
  const auto s = normal({});
  check_gradients_twice([](const auto& in) { return ag::sum(in[0]); }, {s});
  check_gradients_twice([](const auto& in) { return ag::mean(in[0]); }, {s});
  check_gradients_twice([](const auto& in) { return ag::sum(in[0], {-1}, true); }, {s});
  INFO("input reused: sum(x) * mean(x, 1) * x");
  check_gradients_twice([](const auto& in) { return ag::sum(in[0]) * ag::mean(in[0], {1}, true) * in[0]; },
                        {normal({2, 3})});
}

TEST_CASE("reductions accumulate gradients when their input is reused", "[ops][reduction]") {
  auto x = ag::tensor({{1, 2}, {3, 4}}, ag::requires_grad());
  ag::sum(x * ag::sum(x)).backward();  // (sum x)^2, so every element gets 2 * sum(x)
  CHECK_THAT(x.grad(), HasValues({20, 20, 20, 20}));

  ag::manual_seed(12);
  const auto f = [](const std::vector<ag::Tensor>& in) {
    const ag::Tensor& x = in[0];
    return ag::sum(x, {1}, true) * x + ag::amax(x, {0}) - ag::mean(x, {-1}, true) + ag::cumsum(x, 1);
  };
  check_gradients_twice(f, {normal({2, 3})});
}

TEST_CASE("cumsum gives running sums along a dim, in the input's dtype", "[ops][reduction]") {
  const auto x = ag::tensor({{1, 2, 3}, {4, 5, 6}});
  CHECK(ag::cumsum(x, 1).shape() == ag::Shape{2, 3});
  CHECK_THAT(ag::cumsum(x, 1), HasValues({1, 3, 6, 4, 9, 15}));
  CHECK_THAT(x.cumsum(-1), HasValues({1, 3, 6, 4, 9, 15}));
  CHECK_THAT(ag::cumsum(x, 0), HasValues({1, 2, 3, 5, 7, 9}));
  CHECK(ag::cumsum(x, 0).dtype() == ag::kFloat32);

  CHECK(ag::cumsum(ag::scalar(2.5), 0).shape() == ag::Shape{});
  CHECK(ag::cumsum(ag::scalar(2.5), -1).item() == 2.5);
  CHECK(ag::cumsum(ag::zeros({0, 3}), 1).shape() == ag::Shape{0, 3});
  CHECK(ag::cumsum(ag::zeros({3, 0}), 1).shape() == ag::Shape{3, 0});
}

TEST_CASE("cumsum keeps int64, turns bool into int64 and accumulates float32 in double", "[ops][reduction]") {
  const auto i = ag::cumsum(ag::tensor({3, -1, 4}, ag::kInt64), 0);
  CHECK(i.dtype() == ag::kInt64);
  CHECK_THAT(i, HasValues({3, 2, 6}));

  const auto b = ag::cumsum(ag::tensor({1, 0, 1, 1}, ag::kBool), 0);
  CHECK(b.dtype() == ag::kInt64);
  CHECK_THAT(b, HasValues({1, 1, 2, 3}));

  const std::int64_t two_to_53 = std::int64_t{1} << 53;
  CHECK(ag::cumsum(int64_values({two_to_53, 1}), 0).to_vector<std::int64_t>() ==
        std::vector<std::int64_t>{two_to_53, two_to_53 + 1});

  // As PyTorch on the CPU: the running total is a double, so the second one is not lost.
  CHECK_THAT(ag::cumsum(ag::tensor({16777216, 1, 1}), 0), HasValues({16777216, 16777216, 16777218}));
}

TEST_CASE("cumsum's gradient is the reversed running sum of the output gradient", "[ops][reduction]") {
  auto x = ag::tensor({1, 2, 3}, ag::requires_grad());
  ag::sum(ag::cumsum(x, 0) * ag::tensor({1, 10, 100})).backward();
  CHECK_THAT(x.grad(), HasValues({111, 110, 100}));

  ag::manual_seed(15);
  const auto cube = normal({2, 3, 4});
  for (std::int64_t dim : {0, 1, 2, -1, -3}) {
    INFO("dim " << dim);
    check_gradients_twice([dim](const auto& in) { return ag::cumsum(in[0], dim); }, {cube});
  }
  check_gradients_twice([](const auto& in) { return ag::cumsum(in[0], 0); }, {normal({})});
  INFO("input reused: cumsum(x) * x");
  check_gradients_twice([](const auto& in) { return ag::cumsum(in[0], 1) * in[0]; }, {normal({2, 3})});
}

TEST_CASE("cumsum's gradient under create_graph is differentiable to any order", "[ops][reduction][higher_order]") {
  // Each derivative of a running sum is a running sum the other way: with all-ones weights, 3 2 1, then 1 2 3.
  const auto x = ag::tensor({1, 2, 3}, ag::kFloat64).requires_grad_();
  const auto v = ag::ones({3}, ag::kFloat64).requires_grad_();
  const auto dx = ag::grad({ag::cumsum(x, 0)}, {x}, {.grad_outputs = {v}, .create_graph = true})[0];
  CHECK_THAT(dx, HasValues({3, 2, 1}));
  const auto u = ag::ones({3}, ag::kFloat64).requires_grad_();
  const auto dv = ag::grad({dx}, {v}, {.grad_outputs = {u}, .create_graph = true})[0];
  CHECK_THAT(dv, HasValues({1, 2, 3}));
  CHECK_THAT(ag::grad({dv}, {u}, {.grad_outputs = {ag::ones({3}, ag::kFloat64)}})[0], HasValues({3, 2, 1}));
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

TEST_CASE("sum_to_shape passes gradcheck and gradgradcheck, broadcasting its gradient back", "[ops][reduction]") {
  ag::manual_seed(14);
  const std::vector<std::pair<ag::Shape, ag::Shape>> from_to = {
      {{2, 3}, {3}},    {{2, 3}, {2, 1}}, {{4, 2, 3}, {1, 3}}, {{4, 2, 3}, {2, 1}}, {{2, 3}, {}},
      {{2, 3}, {2, 3}}, {{}, {}}};
  for (const auto& shapes : from_to) {
    INFO("from " << fmt::format("{} to {}", shapes.first, shapes.second));
    check_gradients_twice([&](const auto& in) { return ag::sum_to_shape(in[0], shapes.second); },
                          {normal(shapes.first)});
  }
  const auto reused = [](const std::vector<ag::Tensor>& in) {
    return ag::sum_to_shape(in[0], {3}) * ag::sum_to_shape(in[0], {2, 1});
  };
  check_gradients_twice(reused, {normal({2, 3})});
}

TEST_CASE("sum_to_shape and expand are each other's gradients to any order, also between equal shapes",
          "[ops][reduction][higher_order]") {
  ag::manual_seed(16);
  for (const ag::Shape& to : {ag::Shape{3}, ag::Shape{2, 1}, ag::Shape{2, 3}}) {
    INFO("to " << fmt::format("{}", to));
    const auto x = normal({2, 3}).requires_grad_();
    const auto v = normal(to).requires_grad_();
    const auto dx = ag::grad({ag::sum_to_shape(x, to)}, {x}, {.grad_outputs = {v}, .create_graph = true})[0];
    CHECK_THAT(dx, HasValues(ag::expand(v, {2, 3}).to_vector()));
    const auto u = normal({2, 3}).requires_grad_();
    const auto dv = ag::grad({dx}, {v}, {.grad_outputs = {u}, .create_graph = true})[0];
    CHECK_THAT(dv, HasValues(ag::sum_to_shape(u, to).to_vector()));
    const auto w = normal(to);
    CHECK_THAT(ag::grad({dv}, {u}, {.grad_outputs = {w}})[0], HasValues(ag::expand(w, {2, 3}).to_vector()));
  }
}

TEST_CASE("sum, mean and cumsum name the op and shape for bad dims and empty inputs", "[ops][reduction][errors]") {
  const auto x = ag::zeros({2, 3});
  CHECK_THROWS_WITH(ag::sum(x, {2}), "sum: dim 2 is out of range for a tensor with 2 dimensions (expected [-2, 1])");
  CHECK_THROWS_WITH(ag::sum(x, 2), StartsWith("sum:") && Contains("out of range"));
  CHECK_THROWS_WITH(ag::mean(x, {-3}), StartsWith("mean:") && Contains("-3"));
  CHECK_THROWS_WITH(ag::sum(x, {1, 1}), "sum: dim 1 appears twice in [1, 1]");
  CHECK_THROWS_WITH(ag::mean(x, {0, -2}), "mean: dim -2 appears twice in [0, -2]");
  CHECK_THROWS_WITH(ag::cumsum(x, 2),
                    "cumsum: dim 2 is out of range for a tensor with 2 dimensions (expected [-2, 1])");

  const auto empty = ag::zeros({0, 3});
  CHECK_THROWS_WITH(ag::mean(empty), "mean: the reduced dimensions of shape [0, 3] are empty, so there is no mean");
  CHECK_THROWS_WITH(ag::mean(empty, {0}),
                    "mean: the reduced dimensions of shape [0, 3] are empty, so there is no mean");
}

TEST_CASE("mean refuses integer and bool tensors", "[ops][reduction][errors]") {
  CHECK_THROWS_WITH(ag::mean(ag::tensor({1, 2}, ag::kInt64)),
                    "mean: not supported for dtype int64 (expected float32 or float64); convert with .to()");
  CHECK_THROWS_WITH(ag::mean(ag::tensor({1, 0}, ag::kBool), 0),
                    "mean: not supported for dtype bool (expected float32 or float64); convert with .to()");
  CHECK(ag::mean(ag::tensor({1, 2}, ag::kInt64).to(ag::kFloat64)).item() == 1.5);
}

TEST_CASE("sum_to_shape refuses a shape that does not broadcast to the tensor's", "[ops][reduction][errors]") {
  const auto x = ag::zeros({2, 3});
  CHECK_THROWS_WITH(ag::sum_to_shape(x, {4}), StartsWith("sum_to_shape:") && Contains("[4]") && Contains("[2, 3]"));
  CHECK_THROWS_WITH(ag::sum_to_shape(ag::zeros({3}), {2, 3}),
                    StartsWith("sum_to_shape:") && Contains("[2, 3]") && Contains("[3]"));
}
