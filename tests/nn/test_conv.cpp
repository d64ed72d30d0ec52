#include <nn/activation.hpp>
#include <nn/conv.hpp>
#include <nn/flatten.hpp>
#include <nn/functional.hpp>
#include <nn/linear.hpp>
#include <nn/pooling.hpp>
#include <nn/sequential.hpp>

#include <autograd/autograd.hpp>
#include <autograd/ops/convolution.hpp>

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"
#include "tensor_matchers.hpp"

#include <cmath>
#include <memory>
#include <string>
#include <vector>

using Catch::Contains;

TEST_CASE("Conv2d holds weight [out, in / groups, kH, kW] and bias [out] under PyTorch's names", "[nn][conv]") {
  ag::nn::Conv2d conv(ag::nn::Conv2dOptions(1, 32, 3).padding(1));
  CHECK(conv.weight.shape() == ag::Shape{32, 1, 3, 3});
  CHECK(conv.bias.shape() == ag::Shape{32});
  CHECK(conv.weight.dtype() == ag::kFloat32);
  const auto state = conv.state_dict();
  REQUIRE(state.size() == 2);
  CHECK(state.begin()->first == "weight");

  ag::nn::Conv2d grouped(ag::nn::Conv2dOptions(4, 6, {3, 2}).groups(2).bias(false));
  CHECK(grouped.weight.shape() == ag::Shape{6, 2, 3, 2});
  CHECK_FALSE(grouped.bias.defined());
  CHECK(grouped.parameters().size() == 1);

  ag::nn::Conv1d conv1d(3, 5, 4);
  CHECK(conv1d.weight.shape() == ag::Shape{5, 3, 4});
  CHECK(conv1d.bias.shape() == ag::Shape{5});
}

TEST_CASE("Conv2d draws its parameters as PyTorch's reset_parameters, reproducibly under a seed", "[nn][conv]") {
  ag::manual_seed(5);
  ag::nn::Conv2d first(ag::nn::Conv2dOptions(4, 8, 3).groups(2));
  ag::manual_seed(5);
  ag::nn::Conv2d second(ag::nn::Conv2dOptions(4, 8, 3).groups(2));
  CHECK(first.weight.to_vector() == second.weight.to_vector());
  CHECK(first.bias.to_vector() == second.bias.to_vector());

  // fan_in = in / groups * kH * kW = 18: weight and bias uniform in ±1/sqrt(18).
  const double bound = 1.0 / std::sqrt(18.0);
  double largest = 0.0;
  for (double v : first.weight.to_vector()) largest = std::max(largest, std::abs(v));
  CHECK(largest <= bound);
  CHECK(largest > 0.8 * bound);  // 144 draws reach near the bound
  for (double v : first.bias.to_vector()) CHECK(std::abs(v) <= bound);
}

TEST_CASE("Conv2d and Conv1d compute ag::conv2d and ag::conv1d with their settings", "[nn][conv]") {
  ag::manual_seed(6);
  ag::nn::Conv2d conv(ag::nn::Conv2dOptions(2, 4, 3).stride(2).padding(1).dilation({1, 2}).dtype(ag::kFloat64));
  const ag::Tensor x = ag::randn({3, 2, 9, 8}, ag::kFloat64);
  const ag::Tensor y = conv(x);
  CHECK(y.shape() == ag::Shape{3, 4, 5, 3});
  CHECK_THAT(y, HasValues(ag::conv2d(x, conv.weight, conv.bias, 2, 1, {1, 2}).to_vector(), 1e-12));

  ag::nn::Conv1d conv1d(ag::nn::Conv1dOptions(2, 4, 3).padding(1).groups(2).bias(false));
  CHECK(conv1d(ag::randn({3, 2, 10})).shape() == ag::Shape{3, 4, 10});
  CHECK(conv1d(ag::randn({2, 10})).shape() == ag::Shape{4, 10});
}

TEST_CASE("Conv2d passes gradcheck and gradgradcheck in its input, weight and bias", "[nn][conv][gradcheck]") {
  ag::manual_seed(9);
  auto conv = std::make_shared<ag::nn::Conv2d>(ag::nn::Conv2dOptions(2, 3, 2).padding(1).dtype(ag::kFloat64));
  // gradcheck perturbs copies of its inputs, so the layer is pointed at the copies of its parameters.
  const auto through_layer = [&](const std::vector<ag::Tensor>& in) {
    conv->weight = in[1];
    conv->bias = in[2];
    return conv->forward(in[0]);
  };
  const std::vector<ag::Tensor> inputs = {ag::randn({2, 2, 4, 3}, ag::kFloat64), conv->weight, conv->bias};
  CHECK_THAT(ag::gradcheck(through_layer, inputs), PassesGradcheck());
  CHECK_THAT(ag::gradgradcheck(through_layer, inputs), PassesGradcheck());
}

TEST_CASE("a small CNN of Conv2d, ReLU, MaxPool2d, Flatten and Linear trains its parameters", "[nn][conv]") {
  ag::manual_seed(1);
  auto model = std::make_shared<ag::nn::Sequential>(
      std::make_shared<ag::nn::Conv2d>(ag::nn::Conv2dOptions(1, 4, 3).padding(1)), std::make_shared<ag::nn::ReLU>(),
      std::make_shared<ag::nn::MaxPool2d>(2),
      std::make_shared<ag::nn::Conv2d>(ag::nn::Conv2dOptions(4, 8, 3).padding(1)), std::make_shared<ag::nn::ReLU>(),
      std::make_shared<ag::nn::MaxPool2d>(2), std::make_shared<ag::nn::Flatten>(),
      std::make_shared<ag::nn::Linear>(8 * 7 * 7, 10));
  const ag::Tensor images = ag::randn({5, 1, 28, 28});
  const ag::Tensor labels = ag::from_vector(std::vector<double>{0, 1, 2, 3, 4}, {5}, ag::kInt64);
  const ag::Tensor logits = model->forward(images);
  CHECK(logits.shape() == ag::Shape{5, 10});
  ag::nn::functional::cross_entropy(logits, labels).backward();
  for (const auto& [name, parameter] : model->named_parameters()) {
    INFO(name);
    REQUIRE(parameter.grad().defined());
    CHECK(parameter.grad().shape() == parameter.shape());
  }
  const auto names = model->state_dict();
  std::vector<std::string> keys;
  for (const auto& [key, value] : names) keys.push_back(key);
  CHECK(keys == std::vector<std::string>{"0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias"});
}

TEST_CASE("Conv2d describes itself as PyTorch does", "[nn][conv]") {
  CHECK(ag::nn::Conv2d(ag::nn::Conv2dOptions(1, 32, 3).padding(1)).extra_repr() ==
        "1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1)");
  CHECK(ag::nn::Conv2d(ag::nn::Conv2dOptions(4, 8, {3, 1}).stride(2).dilation(2).groups(4).bias(false)).extra_repr() ==
        "4, 8, kernel_size=(3, 1), stride=(2, 2), dilation=(2, 2), groups=4, bias=false");
  CHECK(ag::nn::Conv1d(2, 3, 5).extra_repr() == "2, 3, kernel_size=(5,), stride=(1,)");
  CHECK_THAT(ag::nn::Conv2d(1, 2, 3).summary(), Contains("Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1))"));
}

TEST_CASE("Conv2d refuses settings that make no layer, and inputs that do not fit, naming both", "[nn][conv][errors]") {
  CHECK_THROWS_WITH(ag::nn::Conv2d(ag::nn::Conv2dOptions(4, 6, 3).groups(4)),
                    Contains("Conv2d: groups = 4 must be at least 1 and divide in_channels (4) and out_channels (6)"));
  CHECK_THROWS_WITH(ag::nn::Conv2d(0, 6, 3),
                    Contains("Conv2d: in_channels (0) and out_channels (6) must be at least 1"));
  CHECK_THROWS_WITH(ag::nn::Conv2d(ag::nn::Conv2dOptions(1, 2, {3, 0})),
                    Contains("Conv2d: kernel_size must be at least 1, got (3, 0)"));
  CHECK_THROWS_WITH(ag::nn::Conv1d(ag::nn::Conv1dOptions(1, 2, 3).stride(0)),
                    Contains("Conv1d: stride must be at least 1, got (0,)"));
  ag::nn::Conv2d conv(3, 8, 3);
  CHECK_THROWS_WITH(conv(ag::randn({2, 1, 28, 28})),
                    Contains("conv2d: input shape [2, 1, 28, 28] has 1 channels, but weight shape [8, 3, 3, 3]"));
}

TEST_CASE("Conv2d converts with to() and keeps training in the new dtype", "[nn][conv]") {
  ag::nn::Conv2d conv(2, 3, 3);
  conv.to(ag::kFloat64);
  CHECK(conv.weight.dtype() == ag::kFloat64);
  CHECK(conv(ag::randn({1, 2, 5, 5}, ag::kFloat64)).dtype() == ag::kFloat64);
}
