#include <nn/nn.hpp>

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"

#include <cmath>

namespace {

// gradcheck and gradgradcheck through a module's forward, for modules without parameters.
void check_module_gradients(ag::nn::UnaryModule& module, const ag::Tensor& input) {
  const auto forward = [&](const std::vector<ag::Tensor>& in) { return module(in[0]); };
  CHECK_THAT(ag::gradcheck(forward, {input}), PassesGradcheck());
  CHECK_THAT(ag::gradgradcheck(forward, {input}), PassesGradcheck());
}

}  // namespace

TEST_CASE("activation modules compute their functions", "[nn][activation]") {
  const auto x = ag::tensor({-1.0, 0.0, 2.0}, ag::kFloat64);
  CHECK(ag::nn::ReLU()(x).to_vector() == std::vector<double>{0.0, 0.0, 2.0});
  CHECK(ag::nn::Sigmoid()(x).at({0}) == Approx(1.0 / (1.0 + std::exp(1.0))));
  CHECK(ag::nn::Tanh()(x).at({2}) == Approx(std::tanh(2.0)));

  const auto logits = ag::tensor({{1.0, 2.0, 3.0}, {0.0, 0.0, 0.0}}, ag::kFloat64);
  const auto probabilities = ag::nn::Softmax(1)(logits);
  CHECK(probabilities.at({1, 0}) == Approx(1.0 / 3.0));
  CHECK(probabilities.sum({1}).at({0}) == Approx(1.0));
  const auto log_probabilities = ag::nn::LogSoftmax(-1)(logits);
  CHECK(log_probabilities.at({0, 2}) == Approx(3.0 - std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0))));
}

TEST_CASE("activation modules pass gradcheck and gradgradcheck", "[nn][activation][gradcheck]") {
  ag::manual_seed(1);
  const auto x = ag::randn({3, 4}, ag::kFloat64);
  ag::nn::Sigmoid sigmoid;
  ag::nn::Tanh tanh;
  ag::nn::Softmax softmax_rows(1);
  ag::nn::Softmax softmax_columns(0);
  ag::nn::LogSoftmax log_softmax(-1);
  check_module_gradients(sigmoid, x);
  check_module_gradients(tanh, x);
  check_module_gradients(softmax_rows, x);
  check_module_gradients(softmax_columns, x);
  check_module_gradients(log_softmax, x);

  // Away from the kink at 0, where the finite difference straddles two slopes.
  ag::nn::ReLU relu;
  check_module_gradients(relu, ag::tensor({{-1.5, -0.3, 0.2}, {0.7, 1.1, -2.0}}, ag::kFloat64));
}
