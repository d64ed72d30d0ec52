#include <nn/dropout.hpp>
#include <nn/linear.hpp>
#include <nn/sequential.hpp>

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "tensor_matchers.hpp"

using Catch::StartsWith;

TEST_CASE("Dropout drops in training and is the identity in evaluation", "[nn][dropout]") {
  ag::nn::Dropout layer(0.25);
  CHECK(layer.options().p() == 0.25);
  CHECK(layer.parameters().empty());
  CHECK(layer.state_dict().empty());
  const ag::Tensor x = ag::ones({4000});
  ag::manual_seed(71);
  const std::vector<double> trained = layer(x).to_vector();
  std::int64_t zeros = 0;
  for (const double v : trained) {
    if (v == 0.0) ++zeros;
    CHECK((v == 0.0 || std::abs(v - 1.0 / 0.75) < 1e-6));
  }
  CHECK(zeros > 850);
  CHECK(zeros < 1150);

  layer.eval();
  CHECK(layer(x).is_same(x));
  layer.train();
  ag::manual_seed(71);
  CHECK(layer(x).to_vector() == trained);
}

TEST_CASE("Dropout defaults to p = 0.5 and takes options", "[nn][dropout]") {
  CHECK(ag::nn::Dropout().options().p() == 0.5);
  CHECK(ag::nn::Dropout(ag::nn::DropoutOptions().p(0.1)).options().p() == 0.1);
  CHECK(ag::nn::Dropout(0.25).extra_repr() == "p=0.25");
  CHECK(ag::nn::Dropout().name() == "Dropout");
}

TEST_CASE("Dropout in a Sequential follows the model's train and eval", "[nn][dropout]") {
  ag::manual_seed(72);
  ag::nn::Sequential model(std::make_shared<ag::nn::Linear>(3, 3), std::make_shared<ag::nn::Dropout>(0.5));
  const ag::Tensor x = ag::randn({2, 3});
  model.eval();
  const std::vector<double> first = model(x).to_vector();
  CHECK(model(x).to_vector() == first);
  model.train();
  CHECK(model(x).to_vector() != first);
}

TEST_CASE("Dropout refuses a p outside [0, 1]", "[nn][dropout][errors]") {
  CHECK_THROWS_WITH(ag::nn::Dropout(-0.5), StartsWith("Dropout: p = -0.5 is not a probability (expected 0 <= p <= 1)"));
  CHECK_THROWS_WITH(ag::nn::Dropout(2.0), StartsWith("Dropout: p = 2 is not a probability"));
  CHECK_THROWS_WITH(ag::nn::functional::dropout(ag::ones({2}), -1.0, true), StartsWith("dropout: p = -1"));
}
