#include <nn/nn.hpp>

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

using Catch::Contains;

namespace {

// The layers hold float32, so a value drawn at a bound may round just past it.
constexpr double kFloat32Slack = 1.0 + 1e-6;

double largest_magnitude(const ag::Tensor& t) {
  const auto values = t.to_vector();
  double largest = 0.0;
  for (double v : values) largest = std::max(largest, std::abs(v));
  return largest;
}

double standard_deviation(const ag::Tensor& t) {
  const auto values = t.to_vector();
  double total = 0.0;
  double squares = 0.0;
  for (double v : values) total += v, squares += v * v;
  const double n = static_cast<double>(values.size());
  return std::sqrt(squares / n - (total / n) * (total / n));
}

ag::nn::Linear linear_with(ag::nn::Init init, std::int64_t in = 400, std::int64_t out = 100) {
  return ag::nn::Linear(in, out, ag::nn::LinearOptions().init(init));
}

}  // namespace

TEST_CASE("ag::manual_seed makes layer initialisation reproducible", "[nn][init]") {
  ag::manual_seed(42);
  const ag::nn::Linear first(5, 3);
  ag::manual_seed(42);
  const ag::nn::Linear second(5, 3);
  const ag::nn::Linear third(5, 3);
  CHECK(first.weight.to_vector() == second.weight.to_vector());
  CHECK(first.bias.to_vector() == second.bias.to_vector());
  CHECK(first.weight.to_vector() != third.weight.to_vector());
}

TEST_CASE("Linear's default init follows PyTorch: weight and bias uniform in ±1/sqrt(in)", "[nn][init]") {
  ag::manual_seed(0);
  const auto layer = linear_with(ag::nn::Init::KaimingUniform);
  const double bound = 1.0 / std::sqrt(400.0);
  CHECK(largest_magnitude(layer.weight) <= bound * kFloat32Slack);
  CHECK(largest_magnitude(layer.weight) > 0.95 * bound);
  CHECK(standard_deviation(layer.weight) == Approx(bound / std::sqrt(3.0)).epsilon(0.03));
  CHECK(largest_magnitude(layer.bias) <= bound * kFloat32Slack);
  CHECK(largest_magnitude(layer.bias) > 0.5 * bound);
}

TEST_CASE("the other init schemes draw the weight with their spread and start the bias at zero", "[nn][init]") {
  ag::manual_seed(0);
  const auto kaiming_normal = linear_with(ag::nn::Init::KaimingNormal);
  CHECK(standard_deviation(kaiming_normal.weight) == Approx(std::sqrt(2.0 / 400.0)).epsilon(0.03));

  const auto xavier_uniform = linear_with(ag::nn::Init::XavierUniform);
  const double xavier_bound = std::sqrt(6.0 / 500.0);
  CHECK(largest_magnitude(xavier_uniform.weight) <= xavier_bound * kFloat32Slack);
  CHECK(largest_magnitude(xavier_uniform.weight) > 0.95 * xavier_bound);

  const auto xavier_normal = linear_with(ag::nn::Init::XavierNormal);
  CHECK(standard_deviation(xavier_normal.weight) == Approx(std::sqrt(2.0 / 500.0)).epsilon(0.03));

  const auto standard_normal = linear_with(ag::nn::Init::StandardNormal);
  CHECK(standard_deviation(standard_normal.weight) == Approx(1.0).epsilon(0.03));

  const auto zeros = linear_with(ag::nn::Init::Zeros);
  CHECK(largest_magnitude(zeros.weight) == 0.0);

  for (const auto* layer : {&kaiming_normal, &xavier_uniform, &xavier_normal, &standard_normal, &zeros})
    CHECK(largest_magnitude(layer->bias) == 0.0);
}

TEST_CASE("initialisers write in place into tensors that require grad", "[nn][init]") {
  auto weight = ag::zeros({3, 4}, ag::requires_grad());
  const auto result = ag::nn::init::uniform_(weight, 2.0, 3.0);
  CHECK(result.is_same(weight));
  for (double v : weight.to_vector()) CHECK((v >= 2.0 && v <= 3.0));
  CHECK(weight.is_leaf());
  CHECK(ag::nn::init::fans(ag::zeros({5, 3, 2, 2})).in == 12);
  CHECK(ag::nn::init::fans(ag::zeros({5, 3, 2, 2})).out == 20);
  CHECK_THROWS_WITH(ag::nn::init::xavier_uniform_(ag::zeros({3})),
                    Contains("at least 2 dimensions") && Contains("[3]"));
}
