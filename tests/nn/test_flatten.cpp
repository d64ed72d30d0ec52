#include <nn/flatten.hpp>

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"
#include "tensor_matchers.hpp"

using Catch::Contains;

TEST_CASE("Flatten merges all dimensions after the batch by default, sharing the values", "[nn][flatten]") {
  const ag::Tensor x = ag::arange(120.0).reshape({2, 3, 4, 5});
  ag::nn::Flatten flatten;
  const ag::Tensor y = flatten(x);
  CHECK(y.shape() == ag::Shape{2, 60});
  CHECK(y.to_vector() == x.to_vector());
  CHECK(ag::nn::Flatten(ag::nn::FlattenOptions().start_dim(0))(x).shape() == ag::Shape{120});
  CHECK(ag::nn::Flatten(ag::nn::FlattenOptions().start_dim(1).end_dim(2))(x).shape() == ag::Shape{2, 12, 5});
  CHECK(ag::nn::Flatten(ag::nn::FlattenOptions().start_dim(-2))(x).shape() == ag::Shape{2, 3, 20});
  CHECK(ag::nn::Flatten(ag::nn::FlattenOptions().start_dim(0))(ag::scalar(3.0)).shape() == ag::Shape{1});
  CHECK(flatten.extra_repr() == "start_dim=1, end_dim=-1");
}

TEST_CASE("Flatten and Unflatten pass gradcheck and gradgradcheck", "[nn][flatten][gradcheck]") {
  ag::nn::Flatten flatten;
  ag::nn::Unflatten unflatten(1, {3, -1});
  const auto f = [&](const std::vector<ag::Tensor>& in) { return unflatten(flatten(in[0]) * in[0].reshape({2, 12})); };
  const std::vector<ag::Tensor> inputs = {ag::randn({2, 3, 4}, ag::kFloat64)};
  CHECK_THAT(ag::gradcheck(f, inputs), PassesGradcheck());
  CHECK_THAT(ag::gradgradcheck(f, inputs), PassesGradcheck());
}

TEST_CASE("Unflatten splits one dimension, inferring one size given as -1", "[nn][flatten]") {
  const ag::Tensor x = ag::arange(24.0).reshape({2, 12});
  CHECK(ag::nn::Unflatten(1, {3, 4})(x).shape() == ag::Shape{2, 3, 4});
  CHECK(ag::nn::Unflatten(-1, {2, -1, 3})(x).shape() == ag::Shape{2, 2, 2, 3});
  CHECK(ag::nn::Unflatten(0, {1, 2})(x).shape() == ag::Shape{1, 2, 12});
  CHECK(ag::nn::Unflatten(1, {3, 4}).extra_repr() == "dim=1, unflattened_size=(3, 4)");
}

TEST_CASE("Flatten and Unflatten name the shapes they cannot reshape", "[nn][flatten][errors]") {
  const ag::Tensor x = ag::randn({2, 3, 4});
  CHECK_THROWS_WITH(ag::nn::Flatten(ag::nn::FlattenOptions().start_dim(2).end_dim(1))(x),
                    Contains("Flatten: start_dim 2 comes after end_dim 1 for input of shape [2, 3, 4]"));
  CHECK_THROWS_WITH(ag::nn::Flatten(ag::nn::FlattenOptions().start_dim(3))(x), Contains("Flatten"));
  CHECK_THROWS_WITH(
      ag::nn::Unflatten(1, {2, 2})(x),
      Contains("Unflatten: sizes [2, 2] do not multiply to dimension 1 of input shape [2, 3, 4] (size 3)"));
  CHECK_THROWS_WITH(ag::nn::Unflatten(1, {-1, -1}), Contains("Unflatten: sizes must be at least 1, except one -1"));
  CHECK_THROWS_WITH(ag::nn::Unflatten(1, {}), Contains("Unflatten: sizes must not be empty"));
  CHECK_THROWS_WITH(ag::nn::Unflatten(5, {3})(x), Contains("Unflatten"));
}
