#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "tensor_matchers.hpp"
#include "test_tensors.hpp"

#include <cstdint>
#include <functional>
#include <vector>

using Catch::Contains;
using Catch::StartsWith;

namespace {

ag::Tensor int64(const ag::NestedValues& values) { return ag::tensor(values, ag::kInt64); }

}  // namespace

TEST_CASE("index takes one entry of the first dimension, counting negative indices from the end", "[ops][indexing]") {
  const auto x = counting({3, 2});
  CHECK(x[1].shape() == ag::Shape{2});
  CHECK_THAT(x[1], HasValues({2, 3}));
  CHECK_THAT(ag::index(x, -1), HasValues({4, 5}));
  CHECK_THAT(x[-3], HasValues({0, 1}));
  CHECK(x[1][0].shape() == ag::Shape{});
  CHECK(x[2][-1].item() == 5.0);
}

TEST_CASE("index passes gradcheck and gradgradcheck and accumulates over repeated picks", "[ops][indexing]") {
  auto x = ag::tensor({{1, 2}, {3, 4}, {5, 6}}, ag::requires_grad());
  ag::sum(x[0] + x[-1] * 2 + x[0]).backward();
  CHECK_THAT(x.grad(), HasValues({2, 2, 0, 0, 2, 2}));

  ag::manual_seed(36);
  for (std::int64_t i : {0, 2, -1}) {
    INFO("index " << i);
    check_rearrangement_gradients([i](const ag::Tensor& x) { return x[i]; }, normal({3, 2, 2}));
  }
  check_rearrangement_gradients([](const ag::Tensor& x) { return x[1]; }, normal({4}));
}

TEST_CASE("index refuses indices out of range and 0-d tensors", "[ops][indexing][errors]") {
  const auto x = ag::zeros({3, 2});
  CHECK_THROWS_WITH(x[3], "index: index 3 is out of range for dimension 0 of size 3 (shape [3, 2])");
  CHECK_THROWS_WITH(x[-4], StartsWith("index:") && Contains("-4") && Contains("[3, 2]"));
  CHECK_THROWS_WITH(ag::scalar(1.0)[0], StartsWith("index:") && Contains("0-d"));
}

TEST_CASE("slice takes a range along any dim, with negative and clipped bounds", "[ops][indexing]") {
  const auto x = counting({4, 3});
  CHECK(ag::slice(x, 0, 1, 3).shape() == ag::Shape{2, 3});
  CHECK_THAT(ag::slice(x, 0, 1, 3), HasValues({3, 4, 5, 6, 7, 8}));
  CHECK(x.slice(1, 0, 2).shape() == ag::Shape{4, 2});
  CHECK_THAT(x.slice(1, 0, 2), HasValues({0, 1, 3, 4, 6, 7, 9, 10}));
  CHECK_THAT(ag::slice(x, -1, -1, 3), HasValues({2, 5, 8, 11}));
  CHECK_THAT(ag::slice(x, 0, -2, 100), HasValues({6, 7, 8, 9, 10, 11}));
  CHECK_THAT(ag::slice(x, 1, -100, -2), HasValues({0, 3, 6, 9}));
  CHECK(ag::slice(x, 0, 3, 1).shape() == ag::Shape{0, 3});
  CHECK(ag::slice(x, 1, 5, 9).shape() == ag::Shape{4, 0});
}

TEST_CASE("slice passes gradcheck and gradgradcheck along the first and other dims", "[ops][indexing]") {
  auto x = ag::tensor({{1, 2, 3}, {4, 5, 6}}, ag::requires_grad());
  ag::sum(ag::slice(x, 1, 1, 3) + ag::slice(x, 1, 0, 2)).backward();
  CHECK_THAT(x.grad(), HasValues({1, 2, 1, 1, 2, 1}));

  ag::manual_seed(37);
  check_rearrangement_gradients([](const ag::Tensor& x) { return ag::slice(x, 0, 1, 3); }, normal({4, 3}));
  check_rearrangement_gradients([](const ag::Tensor& x) { return ag::slice(x, 1, -2, 100); }, normal({2, 4, 3}));
  check_rearrangement_gradients([](const ag::Tensor& x) { return ag::slice(x, -1, 0, 2); }, normal({2, 1, 3}));
  check_rearrangement_gradients([](const ag::Tensor& x) { return ag::slice(x, 0, 2, 1); }, normal({3}));
}

TEST_CASE("ops read index and slice results, which start mid-storage, at their own offset", "[ops][indexing]") {
  const auto x = counting({3, 2});
  CHECK_THAT(ag::concat({x[2], x[0]}), HasValues({4, 5, 0, 1}));
  CHECK_THAT(ag::stack({x[1], x[2]}, 1), HasValues({2, 4, 3, 5}));
  CHECK_THAT(ag::transpose(ag::slice(x, 0, 1, 3), 0, 1), HasValues({2, 4, 3, 5}));
  CHECK_THAT(ag::matmul(x[2], ag::slice(x, 0, 1, 3)), HasValues({4 * 2 + 5 * 4, 4 * 3 + 5 * 5}));
  CHECK_THAT(ag::expand(x[1], {2, 2}), HasValues({2, 3, 2, 3}));

  ag::manual_seed(38);
  const auto f = [](const std::vector<ag::Tensor>& in) {
    const ag::Tensor& x = in[0];
    return ag::concat({x[2], ag::slice(x, 0, 1, 2)[0]}) * ag::matmul(ag::slice(x, 0, 1, 3), x[0]).sum();
  };
  check_gradients_twice(f, {normal({3, 2})});
}

TEST_CASE("slice with a step takes every step-th entry, along any dim", "[ops][indexing]") {
  const auto x = counting({4, 3});
  CHECK(ag::slice(x, 0, 0, 4, 2).shape() == ag::Shape{2, 3});
  CHECK_THAT(ag::slice(x, 0, 0, 4, 2), HasValues({0, 1, 2, 6, 7, 8}));
  CHECK_THAT(x.slice(1, 0, 3, 2), HasValues({0, 2, 3, 5, 6, 8, 9, 11}));
  CHECK(ag::slice(x, 0, 1, 100, 3).shape() == ag::Shape{1, 3});
  CHECK_THAT(ag::slice(x, 0, 1, 100, 3), HasValues({3, 4, 5}));
  CHECK(ag::slice(x, -1, -2, 3, 5).shape() == ag::Shape{4, 1});
  CHECK_THAT(ag::slice(x, -1, -2, 3, 5), HasValues({1, 4, 7, 10}));
  CHECK(ag::slice(x, 0, 3, 1, 2).shape() == ag::Shape{0, 3});
}

TEST_CASE("slice with a step passes gradcheck and gradgradcheck and puts the gradient back at the picked entries",
          "[ops][indexing]") {
  auto x = ag::tensor({{1, 2, 3, 4, 5}}, ag::requires_grad());
  (ag::sum(ag::slice(x, 1, 0, 5, 2)) + ag::sum(ag::slice(x, 1, 0, 5, 4))).backward();
  CHECK_THAT(x.grad(), HasValues({2, 0, 1, 0, 2}));

  ag::manual_seed(39);
  check_rearrangement_gradients([](const ag::Tensor& x) { return ag::slice(x, 0, 1, 5, 2); }, normal({5, 2}));
  check_rearrangement_gradients([](const ag::Tensor& x) { return ag::slice(x, 1, 0, 4, 3); }, normal({2, 4, 3}));
  check_rearrangement_gradients([](const ag::Tensor& x) { return ag::slice(x, -1, -3, 100, 2); }, normal({2, 1, 3}));
}

TEST_CASE("slice along the first dim with step 1 shares the values; other slices copy them", "[ops][indexing]") {
  auto x = ag::zeros({3, 2});
  const auto rows = ag::slice(x, 0, 1, 3);
  const auto stepped = ag::slice(x, 0, 0, 3, 2);
  const auto column = ag::slice(x, 1, 0, 1);
  x.fill_(5.0);
  CHECK_THAT(rows, HasValues({5, 5, 5, 5}));
  CHECK_THAT(stepped, HasValues({0, 0, 0, 0}));
  CHECK_THAT(column, HasValues({0, 0, 0}));
}

TEST_CASE("slice refuses 0-d tensors, dims out of range and steps below 1", "[ops][indexing][errors]") {
  CHECK_THROWS_WITH(ag::slice(ag::zeros({2, 3}), 2, 0, 1), StartsWith("slice:") && Contains("dim 2"));
  CHECK_THROWS_WITH(ag::slice(ag::scalar(1.0), 0, 0, 1), StartsWith("slice:") && Contains("0-d"));
  CHECK_THROWS_WITH(ag::slice(ag::zeros({2, 3}), 1, 0, 3, 0),
                    "slice: step must be positive, got 0 (input shape [2, 3])");
  CHECK_THROWS_WITH(ag::zeros({2, 3}).slice(0, 2, 0, -1), "slice: step must be positive, got -1 (input shape [2, 3])");
}

TEST_CASE("narrow takes length entries from start, counting a negative start from the end", "[ops][indexing]") {
  const auto x = counting({4, 3});
  CHECK_THAT(ag::narrow(x, 0, 1, 2), HasValues({3, 4, 5, 6, 7, 8}));
  CHECK(x.narrow(-1, -2, 2).shape() == ag::Shape{4, 2});
  CHECK_THAT(x.narrow(-1, -2, 2), HasValues({1, 2, 4, 5, 7, 8, 10, 11}));
  CHECK(ag::narrow(x, 1, 3, 0).shape() == ag::Shape{4, 0});

  ag::manual_seed(40);
  check_rearrangement_gradients([](const ag::Tensor& x) { return ag::narrow(x, 1, 1, 2); }, normal({2, 4}));
}

TEST_CASE("narrow refuses a start or length that leaves the dimension, unlike slice", "[ops][indexing][errors]") {
  const auto x = ag::zeros({4, 3});
  CHECK_THROWS_WITH(ag::narrow(x, 0, 2, 3),
                    "narrow: length 3 from start 2 does not fit dimension 0 of size 4 (shape [4, 3]; expected a length "
                    "in [0, 2])");
  CHECK_THROWS_WITH(ag::narrow(x, 1, 4, 0),
                    "narrow: start 4 is out of range for dimension 1 of size 3 (shape [4, 3]; expected [-3, 3])");
  CHECK_THROWS_WITH(ag::narrow(x, 1, -4, 1), StartsWith("narrow: start -4 is out of range"));
  CHECK_THROWS_WITH(ag::narrow(x, 0, 0, -1), StartsWith("narrow: length -1 from start 0"));
  CHECK_THROWS_WITH(ag::narrow(ag::scalar(1.0), 0, 0, 1), StartsWith("narrow:") && Contains("0-d"));
}

TEST_CASE("gather picks along dim by index, as torch.gather", "[ops][indexing]") {
  const auto t = ag::tensor({{1, 2}, {3, 4}});
  const auto index = int64({{0, 0}, {1, 0}});
  CHECK_THAT(ag::gather(t, 1, index), HasValues({1, 1, 4, 3}));
  CHECK_THAT(t.gather(-1, index), HasValues({1, 1, 4, 3}));
  CHECK_THAT(ag::gather(t, 0, index), HasValues({1, 2, 3, 2}));
  CHECK(ag::gather(t, 1, index).dtype() == ag::kFloat32);

  // The index may be smaller than the input in every dim, and larger along dim.
  const auto x = counting({3, 4});
  CHECK(ag::gather(x, 1, int64({{3}, {0}})).shape() == ag::Shape{2, 1});
  CHECK_THAT(ag::gather(x, 1, int64({{3}, {0}})), HasValues({3, 4}));
  CHECK_THAT(ag::gather(t, 1, int64({{0, 1, 1, 0}})), HasValues({1, 2, 2, 1}));

  const auto cube = counting({2, 3, 2});  // cube[i][j][k] = 6 i + 2 j + k
  CHECK_THAT(ag::gather(cube, 1, int64({{{2, 0}, {1, 1}}, {{0, 2}, {2, 2}}})), HasValues({4, 1, 2, 3, 6, 11, 10, 11}));
  CHECK(ag::gather(ag::scalar(5.0), 0, ag::scalar(0.0, ag::kInt64)).item() == 5.0);
}

TEST_CASE("gather takes int64 and bool values and empty indices", "[ops][indexing]") {
  const auto ints = ag::gather(int64({{10, 20, 30}}), 1, int64({{2, 0}}));
  CHECK(ints.dtype() == ag::kInt64);
  CHECK(ints.to_vector<std::int64_t>() == std::vector<std::int64_t>{30, 10});
  const auto flags = ag::gather(ag::tensor({{1, 0, 1}}, ag::kBool), 1, int64({{1, 2, 1}}));
  CHECK(flags.dtype() == ag::kBool);
  CHECK(flags.to_vector<bool>() == std::vector<bool>{false, true, false});

  CHECK(ag::gather(counting({3, 4}), 0, ag::zeros({0, 4}, ag::kInt64)).shape() == ag::Shape{0, 4});
  CHECK(ag::gather(ag::zeros({2, 0}), 1, ag::zeros({2, 0}, ag::kInt64)).shape() == ag::Shape{2, 0});
}

TEST_CASE("gather's gradient adds up over repeated indices and passes gradcheck and gradgradcheck", "[ops][indexing]") {
  auto t = ag::tensor({{1, 2}, {3, 4}}, ag::requires_grad());
  ag::gather(t, 1, int64({{0, 0}, {1, 0}})).sum().backward();
  CHECK_THAT(t.grad(), HasValues({2, 0, 1, 1}));

  ag::manual_seed(41);
  const auto repeated = int64({{0, 0, 2}, {1, 1, 1}});
  check_rearrangement_gradients([&](const ag::Tensor& x) { return ag::gather(x, 1, repeated); }, normal({2, 3}));
  check_rearrangement_gradients([&](const ag::Tensor& x) { return ag::gather(x, -2, repeated); }, normal({3, 4}));
  const auto smaller = int64({{{1}, {0}}, {{2}, {2}}});
  check_rearrangement_gradients([&](const ag::Tensor& x) { return ag::gather(x, -1, smaller); }, normal({2, 3, 4}));
  check_rearrangement_gradients(
      [&](const ag::Tensor& x) {
        return ag::gather(x, 0, ag::zeros({0, 2}, ag::kInt64));
      },
      normal({2, 2}));
}

TEST_CASE("gather refuses indices out of range, other dtypes, ranks and larger shapes", "[ops][indexing][errors]") {
  const auto t = ag::zeros({2, 2});
  CHECK_THROWS_WITH(ag::gather(t, 1, int64({{0, 2}, {1, 0}})),
                    "gather: index 2 at position [0, 1] is out of range for dimension 1 of size 2 (input shape [2, "
                    "2]; expected an integer in [0, 1])");
  CHECK_THROWS_WITH(ag::gather(t, 0, int64({{0, 0}, {-1, 0}})), StartsWith("gather: index -1 at position [1, 0]"));
  CHECK_THROWS_WITH(ag::gather(t, 1, ag::tensor({{0, 1}})),
                    "gather: index must be int64, got float32 (shape [1, 2]); convert with .to(ag::kInt64)");
  CHECK_THROWS_WITH(ag::gather(t, 1, int64({0, 1})),
                    "gather: index must have as many dimensions as the input: index shape [2], input shape [2, 2]");
  CHECK_THROWS_WITH(ag::gather(t, 1, ag::zeros({3, 1}, ag::kInt64)),
                    "gather: index shape [3, 1] is larger than the input shape [2, 2] at dimension 0 (only dimension "
                    "1 may be larger)");
  CHECK_THROWS_WITH(ag::gather(t, 2, int64({{0}})), StartsWith("gather: dim 2 is out of range"));
  CHECK_THROWS_WITH(ag::gather(ag::zeros({2, 0}), 1, ag::zeros({2, 1}, ag::kInt64)),
                    "gather: index 0 at position [0, 0] is out of range: dimension 1 of the input (shape [2, 0]) is "
                    "empty");
}

TEST_CASE("scatter_add adds source at the indexed positions, out of place, as torch.scatter_add", "[ops][indexing]") {
  // torch.zeros(3, 5).scatter_add(0, torch.tensor([[0, 1, 2, 0, 0]]), torch.ones(2, 5)): the source may be larger.
  const auto x = ag::zeros({3, 5});
  const auto out = x.scatter_add(0, int64({{0, 1, 2, 0, 0}}), ag::ones({2, 5}));
  CHECK_THAT(out, HasValues({1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0}));
  CHECK_THAT(x, HasValues(std::vector<double>(15, 0.0)));

  const auto repeated = int64({{0, 0, 2}, {1, 1, 1}});
  CHECK_THAT(ag::scatter_add(ag::zeros({2, 3}), -1, repeated, ag::tensor({{1, 2, 3}, {4, 5, 6}})),
             HasValues({3, 0, 3, 0, 15, 0}));
  const auto ints = ag::scatter_add(int64({{1, 1}}), 1, int64({{1, 1, 0}}), int64({{10, 20, 30}}));
  CHECK(ints.to_vector<std::int64_t>() == std::vector<std::int64_t>{31, 31});
  const auto flags =
      ag::scatter_add(ag::zeros({1, 3}, ag::kBool), 1, int64({{0, 0, 2}}), ag::tensor({{0, 1, 0}}, ag::kBool));
  CHECK(flags.to_vector<bool>() == std::vector<bool>{true, false, false});
  CHECK_THAT(ag::scatter_add(ag::ones({2}), 0, ag::zeros({0}, ag::kInt64), ag::zeros({0})), HasValues({1, 1}));
}

TEST_CASE("scatter_add sends the gradient to x whole and to source gathered, zero where unread", "[ops][indexing]") {
  auto x = ag::zeros({3, 5}, ag::dtype(ag::kFloat64).requires_grad(true));
  auto source = ag::ones({2, 5}, ag::dtype(ag::kFloat64).requires_grad(true));
  const auto weights = counting({3, 5}).to(ag::kFloat64);  // 5 i + j
  (ag::scatter_add(x, 0, int64({{0, 1, 2, 0, 0}}), source) * weights).sum().backward();
  CHECK_THAT(x.grad(), HasValues(weights.to_vector()));
  CHECK_THAT(source.grad(), HasValues({0, 6, 12, 3, 4, 0, 0, 0, 0, 0}));

  ag::manual_seed(42);
  const auto index = int64({{0, 0, 2}, {1, 1, 1}});
  const auto f = [&](std::int64_t dim) {
    return [&, dim](const auto& in) { return ag::scatter_add(in[0], dim, index, in[1]) * in[0].sum(); };
  };
  check_gradients_twice(f(1), {normal({2, 3}), normal({2, 3})});
  INFO("a source larger than the index: the unread part gets zeros");
  check_gradients_twice(f(-2), {normal({3, 3}), normal({3, 4})});
}

TEST_CASE("scatter_add refuses mismatched dtypes, ranks, shapes and indices", "[ops][indexing][errors]") {
  const auto x = ag::zeros({3, 5});
  const auto index = int64({{0, 1, 2, 0, 0}});
  CHECK_THROWS_WITH(ag::scatter_add(x, 0, index, ag::ones({2, 5}, ag::kFloat64)),
                    "scatter_add: dtype mismatch: float32 (shape [3, 5]) and float64 (shape [2, 5]); convert one with "
                    ".to()");
  CHECK_THROWS_WITH(ag::scatter_add(x, 0, ag::zeros({3, 5}, ag::kInt64), ag::ones({2, 5})),
                    "scatter_add: index shape [3, 5] is larger than the source shape [2, 5] at dimension 0");
  CHECK_THROWS_WITH(ag::scatter_add(x, 0, index, ag::ones({5})),
                    "scatter_add: index must have as many dimensions as the source: index shape [1, 5], source shape "
                    "[5]");
  CHECK_THROWS_WITH(ag::scatter_add(x, 0, int64({{0, 3, 0, 0, 0}}), ag::ones({1, 5})),
                    "scatter_add: index 3 at position [0, 1] is out of range for dimension 0 of size 3 (input shape "
                    "[3, 5]; expected an integer in [0, 2])");
  CHECK_THROWS_WITH(ag::scatter_add(x, 0, index.to(ag::kFloat32), ag::ones({2, 5})),
                    StartsWith("scatter_add: index must be int64, got float32"));
}

TEST_CASE("index_select picks entries along dim by a 1-D index, repeats allowed", "[ops][indexing]") {
  const auto x = counting({3, 4});
  CHECK_THAT(ag::index_select(x, 0, int64({2, 0, 2})), HasValues({8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11}));
  CHECK(x.index_select(-1, int64({3, 1})).shape() == ag::Shape{3, 2});
  CHECK_THAT(x.index_select(-1, int64({3, 1})), HasValues({3, 1, 7, 5, 11, 9}));
  CHECK(ag::index_select(x, 1, ag::zeros({0}, ag::kInt64)).shape() == ag::Shape{3, 0});
  CHECK(ag::index_select(x, 0, ag::scalar(1.0, ag::kInt64)).shape() == ag::Shape{1, 4});
  CHECK(ag::index_select(ag::zeros({2, 3, 0}), 1, int64({0, 2})).shape() == ag::Shape{2, 2, 0});
  CHECK(ag::index_select(ag::scalar(7.0), 0, int64({0})).item() == 7.0);

  const auto ints = ag::index_select(int64({5, 6, 7}), 0, int64({2, 2, 0}));
  CHECK(ints.to_vector<std::int64_t>() == std::vector<std::int64_t>{7, 7, 5});
  const auto flags = ag::index_select(ag::tensor({{1, 0}, {0, 1}}, ag::kBool), 1, int64({1}));
  CHECK(flags.dtype() == ag::kBool);
  CHECK(flags.to_vector<bool>() == std::vector<bool>{false, true});
}

TEST_CASE("index_select's gradient adds up over repeated indices and passes gradcheck and gradgradcheck",
          "[ops][indexing]") {
  auto x = ag::ones({3, 2}, ag::requires_grad());
  ag::index_select(x, 0, int64({2, 0, 2})).sum().backward();
  CHECK_THAT(x.grad(), HasValues({1, 1, 0, 0, 2, 2}));

  ag::manual_seed(43);
  const auto repeated = int64({1, 1, 0, 2});
  check_rearrangement_gradients([&](const ag::Tensor& x) { return ag::index_select(x, 0, repeated); }, normal({3, 2}));
  check_rearrangement_gradients([&](const ag::Tensor& x) { return ag::index_select(x, -2, repeated); },
                                normal({2, 3, 4}));
  check_rearrangement_gradients([&](const ag::Tensor& x) { return ag::index_select(x, 1, ag::zeros({0}, ag::kInt64)); },
                                normal({2, 3}));
}

TEST_CASE("index_select refuses indices out of range, of other dtypes or not 1-D", "[ops][indexing][errors]") {
  const auto x = ag::zeros({3, 4});
  CHECK_THROWS_WITH(ag::index_select(x, 0, int64({0, 3})),
                    "index_select: index 3 at position [1] is out of range for dimension 0 of size 3 (input shape [3, "
                    "4]; expected an integer in [0, 2])");
  CHECK_THROWS_WITH(ag::index_select(x, 1, int64({-1})), StartsWith("index_select: index -1 at position [0]"));
  CHECK_THROWS_WITH(ag::index_select(x, 0, int64({{0, 1}})),
                    "index_select: index must be 1-D, got shape [1, 2] (input shape [3, 4])");
  CHECK_THROWS_WITH(ag::index_select(x, 0, ag::tensor({0.0}, ag::kFloat64)),
                    "index_select: index must be int64, got float64 (shape [1]); convert with .to(ag::kInt64)");
  CHECK_THROWS_WITH(ag::index_select(ag::scalar(1.0), 0, int64({0, 0})),
                    "index_select: a 0-d input takes exactly one index, got 2 (index shape [2])");
}

TEST_CASE("index_add adds alpha times source's slices at the indexed entries, as torch.index_add", "[ops][indexing]") {
  // The example of torch.Tensor.index_add_'s documentation.
  const auto x = ag::ones({5, 3});
  const auto source = ag::tensor({{1, 2, 3}, {4, 5, 6}, {7, 8, 9}});
  const auto index = int64({0, 4, 2});
  CHECK_THAT(x.index_add(0, index, source), HasValues({2, 3, 4, 1, 1, 1, 8, 9, 10, 1, 1, 1, 5, 6, 7}));
  CHECK_THAT(ag::index_add(x, 0, index, source, 2.0), HasValues({3, 5, 7, 1, 1, 1, 15, 17, 19, 1, 1, 1, 9, 11, 13}));
  CHECK_THAT(x, HasValues(std::vector<double>(15, 1.0)));

  CHECK_THAT(ag::index_add(ag::zeros({2, 2}), -1, int64({0, 0, 1}), ag::tensor({{1, 2, 3}, {4, 5, 6}})),
             HasValues({3, 3, 9, 6}));
  const auto ints = ag::index_add(int64({1, 1}), 0, int64({1, 1}), int64({3, 4}), -2.0);
  CHECK(ints.to_vector<std::int64_t>() == std::vector<std::int64_t>{1, -13});
  CHECK_THAT(ag::index_add(ag::ones({2}), 0, ag::zeros({0}, ag::kInt64), ag::zeros({0})), HasValues({1, 1}));
}

TEST_CASE("index_add sends the gradient to x whole and alpha times it, selected, to source", "[ops][indexing]") {
  auto x = ag::zeros({3}, ag::requires_grad());
  auto source = ag::zeros({2}, ag::requires_grad());
  (ag::index_add(x, 0, int64({2, 2}), source, -3.0) * ag::tensor({1, 2, 4})).sum().backward();
  CHECK_THAT(x.grad(), HasValues({1, 2, 4}));
  CHECK_THAT(source.grad(), HasValues({-12, -12}));

  ag::manual_seed(44);
  const auto index = int64({1, 0, 1});
  for (const double alpha : {1.0, -1.5}) {
    INFO("alpha " << alpha);
    const auto f = [&](const auto& in) { return ag::index_add(in[0], -1, index, in[1], alpha) * in[0].sum(); };
    check_gradients_twice(f, {normal({2, 2}), normal({2, 3})});
  }
}

TEST_CASE("index_add refuses a source of another shape and a fractional alpha for integers",
          "[ops][indexing][errors]") {
  const auto x = ag::ones({5, 3});
  CHECK_THROWS_WITH(ag::index_add(x, 0, int64({0, 4, 2}), ag::ones({3, 2})),
                    "index_add: source shape [3, 2] does not fit input shape [5, 3] with 3 indices along dimension 0 "
                    "(expected [3, 3])");
  CHECK_THROWS_WITH(ag::index_add(x, 0, int64({5}), ag::ones({1, 3})),
                    StartsWith("index_add: index 5 at position [0] is out of range for dimension 0 of size 5"));
  CHECK_THROWS_WITH(ag::index_add(int64({1, 2}), 0, int64({0}), int64({1}), 0.5),
                    "index_add: alpha 0.5 must be an integer when the input is int64 (shape [2])");
  CHECK_THROWS_WITH(ag::index_add(x, 0, int64({0}), ag::ones({1, 3}, ag::kFloat64)),
                    StartsWith("index_add: dtype mismatch"));
}

TEST_CASE("embedding looks up weight rows for indices of any shape, as F.embedding", "[ops][indexing]") {
  const auto weight = counting({4, 2});  // row i is [2 i, 2 i + 1]
  const auto looked_up = ag::embedding(int64({{1, 3}, {1, 0}}), weight);
  CHECK(looked_up.shape() == ag::Shape{2, 2, 2});
  CHECK_THAT(looked_up, HasValues({2, 3, 6, 7, 2, 3, 0, 1}));
  CHECK_THAT(ag::embedding(ag::scalar(2.0, ag::kInt64), weight), HasValues({4, 5}));
  CHECK(ag::embedding(ag::zeros({0}, ag::kInt64), weight).shape() == ag::Shape{0, 2});
  CHECK_THAT(ag::embedding(int64({1}), weight, 1), HasValues({2, 3}));  // padding rows are still looked up
}

TEST_CASE("embedding's gradient counts each row's uses and skips padding_idx", "[ops][indexing]") {
  const auto indices = int64({{1, 3}, {1, 0}});
  for (const std::optional<std::int64_t> padding :
       {std::optional<std::int64_t>{}, std::optional<std::int64_t>{1}, std::optional<std::int64_t>{-3}}) {
    INFO("padding_idx " << padding.value_or(99));
    auto weight = ag::zeros({4, 2}, ag::requires_grad());
    ag::embedding(indices, weight, padding).sum().backward();
    CHECK_THAT(weight.grad(), HasValues(padding ? std::vector<double>{1, 1, 0, 0, 0, 0, 1, 1}
                                                : std::vector<double>{1, 1, 2, 2, 0, 0, 1, 1}));
  }

  ag::manual_seed(45);
  const auto indices_with_repeats = int64({{0, 2, 0}, {1, 1, 0}});
  check_gradients_twice([&](const auto& in) { return ag::embedding(indices_with_repeats, in[0]); }, {normal({3, 4})});
  // Finite differences do see the padding row, whose gradient is zero by design: it is a constant here.
  const auto f = [&](const auto& in) {
    return ag::embedding(indices_with_repeats, ag::concat({ag::zeros({1, 4}, ag::kFloat64), in[0]}), 0);
  };
  check_gradients_twice(f, {normal({2, 4})});
}

TEST_CASE("embedding refuses indices out of range, a weight that is not 2-D and a bad padding_idx",
          "[ops][indexing][errors]") {
  const auto weight = ag::zeros({4, 2});
  CHECK_THROWS_WITH(ag::embedding(int64({{0, 4}}), weight),
                    "embedding: index 4 at position [0, 1] is out of range for dimension 0 of size 4 (weight shape "
                    "[4, 2]; expected an integer in [0, 3])");
  CHECK_THROWS_WITH(ag::embedding(int64({0}), ag::zeros({4})),
                    "embedding: weight must be 2-D [num_embeddings, embedding_dim], got shape [4]");
  CHECK_THROWS_WITH(
      ag::embedding(int64({0}), weight, 4),
      "embedding: padding_idx 4 is out of range for 4 embeddings (weight shape [4, 2]; expected [-4, 3])");
  CHECK_THROWS_WITH(ag::embedding(ag::tensor({0.0}), weight),
                    StartsWith("embedding: index must be int64, got float32"));
}
