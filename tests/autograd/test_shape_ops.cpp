#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "tensor_matchers.hpp"
#include "test_tensors.hpp"

#include <cstdint>
#include <functional>
#include <vector>

using Catch::Contains;
using Catch::StartsWith;

TEST_CASE("reshape and view keep the row-major values and infer one -1 dimension", "[ops][shape]") {
  const auto x = counting({2, 3, 4});
  CHECK(ag::reshape(x, {4, 6}).shape() == ag::Shape{4, 6});
  CHECK_THAT(ag::reshape(x, {4, 6}), HasValues(x.to_vector()));
  CHECK(x.reshape({-1, 4}).shape() == ag::Shape{6, 4});
  CHECK(x.view({2, -1}).shape() == ag::Shape{2, 12});
  CHECK(ag::view(x, {24}).shape() == ag::Shape{24});
  CHECK(ag::reshape(ag::scalar(3.0), {1, 1}).shape() == ag::Shape{1, 1});
  CHECK(ag::reshape(ag::ones({1, 1}), {}).shape() == ag::Shape{});
  CHECK(ag::view(ag::zeros({0, 3}), {3, -1, 2}).shape() == ag::Shape{3, 0, 2});
}

TEST_CASE("view shares the values of the tensor it views", "[ops][shape]") {
  auto x = ag::zeros({2, 3});
  const auto rows = x.view({3, 2});
  x.fill_(7.0);
  CHECK_THAT(rows, HasValues({7, 7, 7, 7, 7, 7}));
}

TEST_CASE("flatten makes any tensor 1-D", "[ops][shape]") {
  const auto x = counting({2, 3, 4});
  CHECK(ag::flatten(x).shape() == ag::Shape{24});
  CHECK_THAT(ag::flatten(x), HasValues(x.to_vector()));
  CHECK(ag::flatten(ag::scalar(5.0)).shape() == ag::Shape{1});
}

TEST_CASE("reshape, view and flatten pass gradcheck and gradgradcheck", "[ops][shape]") {
  ag::manual_seed(30);
  check_rearrangement_gradients([](const ag::Tensor& x) { return ag::reshape(x, {4, -1}); }, normal({2, 3, 4}));
  check_rearrangement_gradients([](const ag::Tensor& x) { return ag::view(x, {3, 1, 2}); }, normal({6}));
  check_rearrangement_gradients([](const ag::Tensor& x) { return ag::reshape(x, {1}); }, normal({}));
  check_rearrangement_gradients(ag::flatten, normal({2, 1, 3}));
  check_rearrangement_gradients(ag::flatten, normal({}));
}

TEST_CASE("reshape and view refuse a shape with another number of elements", "[ops][shape][errors]") {
  const auto x = ag::zeros({2, 3});
  CHECK_THROWS_WITH(ag::reshape(x, {4}),
                    "reshape: cannot reshape a tensor of shape [2, 3] (6 elements) into [4] (4 elements)");
  CHECK_THROWS_WITH(ag::view(x, {4, -1}), StartsWith("view:") && Contains("[2, 3]") && Contains("[4, -1]"));
  CHECK_THROWS_WITH(ag::reshape(x, {-1, -1}), StartsWith("reshape:") && Contains("[-1, -1]"));
  CHECK_THROWS_WITH(ag::reshape(x, {-2, -3}), StartsWith("reshape:") && Contains("-2"));
  CHECK_THROWS_WITH(ag::reshape(ag::zeros({0, 3}), {0, -1}), StartsWith("reshape:") && Contains("[0, 3]"));
}

TEST_CASE("transpose and permute reorder dimensions, with negative dims", "[ops][shape]") {
  const auto x = counting({2, 3});
  CHECK(ag::transpose(x, 0, 1).shape() == ag::Shape{3, 2});
  CHECK_THAT(ag::transpose(x, 0, 1), HasValues({0, 3, 1, 4, 2, 5}));
  CHECK_THAT(x.t(), HasValues({0, 3, 1, 4, 2, 5}));
  CHECK_THAT(x.transpose(-1, -2), HasValues({0, 3, 1, 4, 2, 5}));
  CHECK_THAT(ag::transpose(x, 1, 1), HasValues(x.to_vector()));

  const auto cube = counting({2, 3, 4});
  const auto moved = ag::permute(cube, {2, 0, -2});
  CHECK(moved.shape() == ag::Shape{4, 2, 3});
  for (std::int64_t i = 0; i < 2; ++i)
    for (std::int64_t j = 0; j < 3; ++j)
      for (std::int64_t k = 0; k < 4; ++k) CHECK(moved.at({k, i, j}) == cube.at({i, j, k}));

  CHECK(ag::transpose(ag::scalar(2.0), 0, -1).item() == 2.0);
  CHECK(ag::permute(ag::scalar(2.0), {}).item() == 2.0);
}

TEST_CASE("transpose and permute pass gradcheck and gradgradcheck", "[ops][shape]") {
  ag::manual_seed(31);
  check_rearrangement_gradients([](const ag::Tensor& x) { return ag::transpose(x, 0, -1); }, normal({2, 3, 4}));
  check_rearrangement_gradients([](const ag::Tensor& x) { return ag::permute(x, {1, 2, 0}); }, normal({2, 3, 4}));
  check_rearrangement_gradients([](const ag::Tensor& x) { return ag::permute(x, {2, 0, 1, 3}); }, normal({2, 1, 3, 2}));
  check_rearrangement_gradients([](const ag::Tensor& x) { return ag::transpose(x, 0, 0); }, normal({}));
  check_gradients_twice([](const auto& in) { return ag::matmul(in[0], in[0].t()); }, {normal({2, 3})});
}

TEST_CASE("transpose and permute refuse bad dims", "[ops][shape][errors]") {
  const auto x = ag::zeros({2, 3});
  CHECK_THROWS_WITH(ag::transpose(x, 0, 2), StartsWith("transpose:") && Contains("dim 2"));
  CHECK_THROWS_WITH(ag::permute(x, {0}), StartsWith("permute:") && Contains("[2, 3]"));
  CHECK_THROWS_WITH(ag::permute(x, {1, -1}), StartsWith("permute:") && Contains("twice"));
  CHECK_THROWS_WITH(ag::permute(x, {0, 3}), StartsWith("permute:") && Contains("dim 3"));
  CHECK_THROWS_WITH(ag::zeros({2, 3, 4}).t(), StartsWith("t:") && Contains("[2, 3, 4]"));
}

TEST_CASE("squeeze drops size-1 dimensions and unsqueeze adds them", "[ops][shape]") {
  const auto x = counting({2, 1, 3, 1});
  CHECK(ag::squeeze(x).shape() == ag::Shape{2, 3});
  CHECK_THAT(ag::squeeze(x), HasValues(x.to_vector()));
  CHECK(ag::squeeze(x, 1).shape() == ag::Shape{2, 3, 1});
  CHECK(x.squeeze(-1).shape() == ag::Shape{2, 1, 3});
  CHECK(ag::squeeze(x, 0).shape() == ag::Shape{2, 1, 3, 1});  // a dimension of another size stays
  CHECK(ag::squeeze(ag::ones({1, 1})).shape() == ag::Shape{});
  CHECK(ag::squeeze(ag::scalar(1.0), 0).shape() == ag::Shape{});

  const auto y = counting({2, 3});
  CHECK(ag::unsqueeze(y, 0).shape() == ag::Shape{1, 2, 3});
  CHECK(ag::unsqueeze(y, 2).shape() == ag::Shape{2, 3, 1});
  CHECK(y.unsqueeze(-1).shape() == ag::Shape{2, 3, 1});
  CHECK(ag::unsqueeze(y, -2).shape() == ag::Shape{2, 1, 3});
  CHECK_THAT(ag::unsqueeze(y, 1), HasValues(y.to_vector()));
  CHECK(ag::unsqueeze(ag::scalar(1.0), 0).shape() == ag::Shape{1});
}

TEST_CASE("squeeze and unsqueeze pass gradcheck and gradgradcheck", "[ops][shape]") {
  ag::manual_seed(32);
  check_rearrangement_gradients([](const ag::Tensor& x) { return ag::squeeze(x); }, normal({2, 1, 3, 1}));
  check_rearrangement_gradients([](const ag::Tensor& x) { return ag::squeeze(x, -1); }, normal({2, 1, 3, 1}));
  check_rearrangement_gradients([](const ag::Tensor& x) { return ag::unsqueeze(x, 1); }, normal({2, 3}));
  check_rearrangement_gradients([](const ag::Tensor& x) { return ag::unsqueeze(x, -1); }, normal({}));
}

TEST_CASE("squeeze and unsqueeze refuse dims out of range", "[ops][shape][errors]") {
  const auto x = ag::zeros({2, 3});
  CHECK_THROWS_WITH(ag::squeeze(x, 2), StartsWith("squeeze:") && Contains("dim 2"));
  CHECK_THROWS_WITH(ag::unsqueeze(x, 3), StartsWith("unsqueeze:") && Contains("dim 3"));
  CHECK_THROWS_WITH(ag::unsqueeze(x, -4), StartsWith("unsqueeze:") && Contains("dim -4"));
}

TEST_CASE("expand stretches size-1 dims, adds leading dims and keeps -1", "[ops][shape]") {
  const auto column = ag::tensor({{1}, {2}});
  CHECK(ag::expand(column, {2, 3}).shape() == ag::Shape{2, 3});
  CHECK_THAT(ag::expand(column, {2, 3}), HasValues({1, 1, 1, 2, 2, 2}));
  CHECK(column.expand({4, -1, 2}).shape() == ag::Shape{4, 2, 2});
  CHECK_THAT(ag::expand(ag::scalar(5.0), {2}), HasValues({5, 5}));
  CHECK_THAT(ag::expand(ag::tensor({1, 2}), {2, 2}), HasValues({1, 2, 1, 2}));
}

TEST_CASE("expand sums its gradient back to the input's shape, and passes gradgradcheck", "[ops][shape]") {
  auto x = ag::tensor({{1}, {2}}, ag::requires_grad());
  ag::sum(ag::expand(x, {3, 2, 4})).backward();
  CHECK_THAT(x.grad(), HasValues({12, 12}));

  ag::manual_seed(33);
  check_rearrangement_gradients([](const ag::Tensor& x) { return ag::expand(x, {2, 3}); }, normal({2, 1}));
  check_rearrangement_gradients([](const ag::Tensor& x) { return ag::expand(x, {4, -1, 3}); }, normal({1, 3}));
  check_rearrangement_gradients([](const ag::Tensor& x) { return ag::expand(x, {2, 2}); }, normal({}));
  INFO("to its own shape: expand and sum_to_shape, each the other's gradient, pass the gradient on");
  check_rearrangement_gradients([](const ag::Tensor& x) { return ag::expand(x, {2, -1}); }, normal({2, 3}));
}

TEST_CASE("expand refuses shrinking or changing a dimension", "[ops][shape][errors]") {
  const auto x = ag::zeros({2, 3});
  CHECK_THROWS_WITH(ag::expand(x, {2, 4}), StartsWith("expand:") && Contains("[2, 3]") && Contains("[2, 4]"));
  CHECK_THROWS_WITH(ag::expand(x, {3}), StartsWith("expand:") && Contains("[2, 3]") && Contains("[3]"));
  CHECK_THROWS_WITH(ag::expand(x, {-1, 2, 3}), StartsWith("expand:") && Contains("[-1, 2, 3]"));
}

TEST_CASE("concat joins tensors along any dim", "[ops][shape]") {
  const auto a = ag::tensor({{1, 2}, {3, 4}});
  const auto b = ag::tensor({{5, 6}});
  CHECK(ag::concat({a, b}).shape() == ag::Shape{3, 2});
  CHECK_THAT(ag::concat({a, b}), HasValues({1, 2, 3, 4, 5, 6}));
  const auto c = ag::tensor({{7}, {8}});
  CHECK(ag::concat({a, c, a}, 1).shape() == ag::Shape{2, 5});
  CHECK_THAT(ag::concat({a, c, a}, -1), HasValues({1, 2, 7, 1, 2, 3, 4, 8, 3, 4}));
  CHECK_THAT(ag::concat({a}), HasValues({1, 2, 3, 4}));
  CHECK(ag::concat({a, ag::zeros({0, 2})}).shape() == ag::Shape{2, 2});
}

TEST_CASE("concat passes gradcheck and gradgradcheck, also with one tensor joined twice", "[ops][shape]") {
  ag::manual_seed(34);
  const auto concat_on = [](std::int64_t dim) {
    return [dim](const std::vector<ag::Tensor>& in) { return ag::concat(in, dim); };
  };
  check_gradients_twice(concat_on(0), {normal({2, 3}), normal({1, 3}), normal({2, 3})});
  check_gradients_twice(concat_on(1), {normal({2, 1, 3}), normal({2, 2, 3})});
  check_gradients_twice(concat_on(-1), {normal({2, 3}), normal({2, 1})});
  const auto joined_twice = [](const std::vector<ag::Tensor>& in) { return ag::concat({in[0], in[1], in[0]}, 1); };
  check_gradients_twice(joined_twice, {normal({2, 3}), normal({2, 2})});
  INFO("inputs reused: concat(a, b) * sum(a * b)");
  const auto reused = [](const std::vector<ag::Tensor>& in) {
    return ag::concat({in[0], in[1]}) * ag::sum(in[0] * in[1]);
  };
  check_gradients_twice(reused, {normal({2, 3}), normal({2, 3})});
}

TEST_CASE("concat refuses mismatched shapes, dtypes and dims", "[ops][shape][errors]") {
  const auto a = ag::zeros({2, 3});
  CHECK_THROWS_WITH(ag::concat({a, ag::zeros({2, 4})}),
                    StartsWith("concat:") && Contains("[2, 4]") && Contains("[2, 3]") && Contains("tensor 1"));
  CHECK_THROWS_WITH(ag::concat({a, ag::zeros({2, 3, 1})}, 1), StartsWith("concat:") && Contains("[2, 3, 1]"));
  CHECK_THROWS_WITH(ag::concat({a, ag::zeros({2, 3}, ag::kFloat64)}),
                    StartsWith("concat:") && Contains("float32") && Contains("float64"));
  CHECK_THROWS_WITH(ag::concat({a, a}, 2), StartsWith("concat:") && Contains("dim 2"));
  CHECK_THROWS_WITH(ag::concat({ag::scalar(1.0), ag::scalar(2.0)}), StartsWith("concat:") && Contains("0-d"));
  CHECK_THROWS_WITH(ag::concat({}), StartsWith("concat:"));
}

TEST_CASE("stack joins equal shapes along a new dim", "[ops][shape]") {
  const auto a = ag::tensor({1, 2, 3});
  const auto b = ag::tensor({4, 5, 6});
  CHECK(ag::stack({a, b}).shape() == ag::Shape{2, 3});
  CHECK_THAT(ag::stack({a, b}), HasValues({1, 2, 3, 4, 5, 6}));
  CHECK(ag::stack({a, b}, 1).shape() == ag::Shape{3, 2});
  CHECK_THAT(ag::stack({a, b}, -1), HasValues({1, 4, 2, 5, 3, 6}));
  CHECK(ag::stack({ag::scalar(1.0), ag::scalar(2.0), ag::scalar(3.0)}).shape() == ag::Shape{3});
}

TEST_CASE("stack passes gradcheck and gradgradcheck, also with one tensor stacked twice", "[ops][shape]") {
  ag::manual_seed(35);
  check_gradients_twice([](const auto& in) { return ag::stack(in, 1); }, {normal({2, 3}), normal({2, 3})});
  check_gradients_twice([](const auto& in) { return ag::stack(in); }, {normal({}), normal({})});
  check_gradients_twice([](const auto& in) { return ag::stack({in[0], in[0]}, -1); }, {normal({3})});
}

TEST_CASE("stack refuses tensors of different shapes and dims out of range", "[ops][shape][errors]") {
  const auto a = ag::zeros({2, 3});
  CHECK_THROWS_WITH(ag::stack({a, ag::zeros({3, 2})}),
                    StartsWith("stack:") && Contains("[3, 2]") && Contains("[2, 3]"));
  CHECK_THROWS_WITH(ag::stack({a, a}, 3), StartsWith("stack:") && Contains("dim 3"));
  CHECK_THROWS_WITH(ag::stack({}), StartsWith("stack:"));
}

TEST_CASE("unsqueeze and stack name the input's own dimension count in range errors", "[ops][shape][errors]") {
  CHECK_THROWS_WITH(ag::unsqueeze(ag::zeros({2, 3}), 3),
                    Catch::Contains("unsqueeze") && Catch::Contains("2 dimensions") && Catch::Contains("[-3, 2]"));
  CHECK_THROWS_WITH(ag::stack({ag::zeros({2}), ag::zeros({2})}, -3),
                    Catch::Contains("stack") && Catch::Contains("1 dimensions"));
}
