#include <nn/nn.hpp>

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"

using Catch::Contains;

namespace {
const auto kDouble = ag::nn::LinearOptions().dtype(ag::kFloat64);
}

TEST_CASE("Sequential feeds each module's output to the next", "[nn][sequential]") {
  auto first = std::make_shared<ag::nn::Linear>(3, 4, kDouble);
  auto activation = std::make_shared<ag::nn::Tanh>();
  auto second = std::make_shared<ag::nn::Linear>(4, 2, kDouble);
  ag::nn::Sequential model(first, activation, second);
  const auto x = ag::randn({5, 3}, ag::kFloat64);
  const auto expected = (*second)((*activation)((*first)(x)));
  CHECK(model(x).to_vector() == expected.to_vector());
  CHECK(model.size() == 3);
  CHECK(model[1] == activation);
}

TEST_CASE("Sequential names its children by position", "[nn][sequential]") {
  auto model = std::make_shared<ag::nn::Sequential>();
  model->push_back(std::make_shared<ag::nn::Linear>(2, 3));
  model->push_back(std::make_shared<ag::nn::ReLU>());
  model->push_back(std::make_shared<ag::nn::Linear>(3, 1, ag::nn::LinearOptions().bias(false)));
  std::vector<std::string> children;
  for (const auto& [name, _] : model->named_children()) children.push_back(name);
  CHECK(children == std::vector<std::string>{"0", "1", "2"});
  std::vector<std::string> parameters;
  for (const auto& [name, _] : model->named_parameters()) parameters.push_back(name);
  CHECK(parameters == std::vector<std::string>{"0.weight", "0.bias", "2.weight"});
  CHECK_THAT(model->summary(),
             Contains("(2): Linear(in_features=3, out_features=1, bias=false)") && Contains("Total parameters: 12"));
}

TEST_CASE("Sequential passes gradcheck and gradgradcheck in its input", "[nn][sequential][gradcheck]") {
  ag::manual_seed(5);
  ag::nn::Sequential model(std::make_shared<ag::nn::Linear>(3, 4, kDouble), std::make_shared<ag::nn::Sigmoid>(),
                           std::make_shared<ag::nn::Linear>(4, 2, kDouble), std::make_shared<ag::nn::LogSoftmax>(1));
  const auto forward = [&](const auto& in) { return model(in[0]); };
  const auto x = ag::randn({2, 3}, ag::kFloat64);
  CHECK_THAT(ag::gradcheck(forward, {x}), PassesGradcheck());
  CHECK_THAT(ag::gradgradcheck(forward, {x}), PassesGradcheck());
}

TEST_CASE("an empty Sequential passes its input through, and indexing past the end throws", "[nn][sequential]") {
  ag::nn::Sequential model;
  const auto x = ag::ones({2});
  CHECK(model(x).is_same(x));
  CHECK_THROWS_WITH(model[0], Contains("Sequential") && Contains("index 0") && Contains("0 modules"));
}
