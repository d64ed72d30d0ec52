#include <nn/nn.hpp>

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"

using Catch::Contains;

namespace {
const auto kDouble = ag::nn::LinearOptions().dtype(ag::kFloat64);
}

TEST_CASE("Linear holds a weight [out, in] and a bias [out], like PyTorch", "[nn][linear]") {
  ag::nn::Linear layer(3, 2);
  CHECK(layer.weight.shape() == ag::Shape{2, 3});
  CHECK(layer.bias.shape() == ag::Shape{2});
  CHECK(layer.in_features() == 3);
  CHECK(layer.out_features() == 2);
  CHECK(layer.weight.dtype() == ag::kFloat32);

  ag::nn::Linear no_bias(3, 2, ag::nn::LinearOptions().bias(false));
  CHECK_FALSE(no_bias.bias.defined());
  CHECK(no_bias.parameters().size() == 1);
}

TEST_CASE("Linear computes x Wᵀ + b on [in], [batch, in] and [..., in]", "[nn][linear]") {
  ag::nn::Linear layer(2, 3, kDouble);
  {
    ag::NoGradGuard no_grad;
    layer.weight.copy_(ag::tensor({{1.0, 2.0}, {0.0, -1.0}, {3.0, 0.5}}, ag::kFloat64));
    layer.bias.copy_(ag::tensor({0.5, 0.0, -1.0}, ag::kFloat64));
  }
  const auto single = layer(ag::tensor({1.0, 1.0}, ag::kFloat64));
  CHECK(single.to_vector() == std::vector<double>{3.5, -1.0, 2.5});

  const auto batch = layer(ag::tensor({{1.0, 1.0}, {2.0, 0.0}}, ag::kFloat64));
  CHECK(batch.shape() == ag::Shape{2, 3});
  CHECK(batch.to_vector() == std::vector<double>{3.5, -1.0, 2.5, 2.5, 0.0, 5.0});

  const auto stacked = layer(ag::ones({4, 5, 2}, ag::kFloat64));
  CHECK(stacked.shape() == ag::Shape{4, 5, 3});
  CHECK(stacked.at({3, 4, 0}) == 3.5);
}

TEST_CASE("Linear passes gradcheck and gradgradcheck in its input, weight and bias", "[nn][linear][gradcheck]") {
  ag::manual_seed(2);
  for (const auto& input_shape : {ag::Shape{4}, ag::Shape{3, 4}, ag::Shape{2, 3, 4}}) {
    auto layer = std::make_shared<ag::nn::Linear>(4, 3, kDouble);
    // gradcheck perturbs copies of its inputs, so the layer is pointed at the copies of its parameters.
    const auto through_layer = [&](const std::vector<ag::Tensor>& in) {
      layer->weight = in[1];
      layer->bias = in[2];
      return layer->forward(in[0]);
    };
    const std::vector<ag::Tensor> inputs = {ag::randn(input_shape, ag::kFloat64), layer->weight, layer->bias};
    CHECK_THAT(ag::gradcheck(through_layer, inputs), PassesGradcheck());
    CHECK_THAT(ag::gradgradcheck(through_layer, inputs), PassesGradcheck());
  }
}

TEST_CASE("backward through Linear fills the gradients of its registered parameters", "[nn][linear]") {
  ag::nn::Linear layer(2, 1, kDouble);
  const auto x = ag::tensor({{1.0, 2.0}, {3.0, 4.0}}, ag::kFloat64);
  layer(x).sum().backward();
  CHECK(layer.weight.grad().to_vector() == std::vector<double>{4.0, 6.0});  // the column sums of x
  CHECK(layer.bias.grad().to_vector() == std::vector<double>{2.0});         // one per row
}

TEST_CASE("functional linear works without a bias and checks its shapes", "[nn][linear]") {
  const auto x = ag::ones({2, 3}, ag::kFloat64);
  const auto w = ag::full({4, 3}, 2.0, ag::kFloat64);
  CHECK(ag::nn::functional::linear(x, w).to_vector() == std::vector<double>(8, 6.0));
  CHECK_THROWS_WITH(ag::nn::functional::linear(x, ag::ones({4, 2}, ag::kFloat64)),
                    Contains("linear") && Contains("[2, 3]") && Contains("[4, 2]"));
  CHECK_THROWS_WITH(ag::nn::functional::linear(x, w, ag::ones({3}, ag::kFloat64)),
                    Contains("bias shape [3]") && Contains("[4]"));
}

TEST_CASE("Linear names itself, the input shape and in_features for a wrong feature count", "[nn][linear][errors]") {
  ag::nn::Linear layer(4, 2);
  CHECK_THROWS_WITH(layer(ag::ones({8, 3})), Contains("Linear") && Contains("[8, 3]") && Contains("in_features = 4"));
  CHECK_THROWS_WITH(layer(ag::scalar(1.0)), Contains("Linear") && Contains("[]"));
  CHECK_THROWS_WITH(ag::nn::Linear(-1, 2), Contains("Linear") && Contains("-1"));
}

TEST_CASE("LinearOptions setters return a changed copy; the default dtype is read when the options are made",
          "[nn][linear]") {
  const auto no_bias = ag::nn::LinearOptions().bias(false);
  const auto xavier = no_bias.init(ag::nn::Init::XavierUniform);
  CHECK(no_bias.init() == ag::nn::Init::KaimingUniform);
  CHECK(xavier.init() == ag::nn::Init::XavierUniform);
  CHECK_FALSE(xavier.bias());

  ag::set_default_dtype(ag::kFloat64);
  const ag::nn::LinearOptions made_for_doubles;
  ag::set_default_dtype(ag::kFloat32);
  CHECK(made_for_doubles.dtype() == ag::kFloat64);
  CHECK(ag::nn::Linear(2, 1, made_for_doubles).weight.dtype() == ag::kFloat64);
  CHECK(ag::nn::Linear(2, 1).weight.dtype() == ag::kFloat32);
}
