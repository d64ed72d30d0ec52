#include <autograd/autograd.hpp>
#include <autograd/ops/dropout.hpp>

#include <catch2/catch.hpp>

#include "tensor_matchers.hpp"
#include "test_tensors.hpp"

#include <cmath>
#include <limits>

using Catch::Contains;
using Catch::StartsWith;

TEST_CASE("dropout zeroes a fraction p and scales the rest by 1 / (1 - p)", "[dropout]") {
  ag::manual_seed(31);
  for (const double p : {0.1, 0.25, 0.5, 0.9}) {
    INFO("p = " << p);
    const std::int64_t n = 200000;
    const ag::Tensor y = ag::dropout(ag::ones({n}, ag::kFloat64), p);
    std::int64_t zeros = 0;
    bool others_scaled = true;
    for (const double v : y.to_vector()) {
      if (v == 0.0)
        ++zeros;
      else
        others_scaled = others_scaled && std::abs(v - 1.0 / (1.0 - p)) < 1e-12;
    }
    CHECK(others_scaled);
    // The zero count is binomial(n, p): five standard deviations either way.
    const double expected = p * static_cast<double>(n);
    const double tolerance = 5.0 * std::sqrt(static_cast<double>(n) * p * (1.0 - p));
    CHECK(std::abs(static_cast<double>(zeros) - expected) < tolerance);
    CHECK(ag::mean(y).item() == Approx(1.0).margin(0.02));
  }
}

TEST_CASE("dropout repeats itself after manual_seed and differs between calls", "[dropout]") {
  const ag::Tensor x = ag::ones({1000}, ag::kFloat32);
  ag::manual_seed(32);
  const ag::Tensor first = ag::dropout(x, 0.5);
  const ag::Tensor second = ag::dropout(x, 0.5);
  ag::manual_seed(32);
  CHECK(ag::dropout(x, 0.5).to_vector() == first.to_vector());
  CHECK(first.to_vector() != second.to_vector());
  CHECK(first.dtype() == ag::kFloat32);
}

TEST_CASE("dropout outside training, or with p = 0, returns its input", "[dropout]") {
  const ag::Tensor x = normal({3, 4});
  CHECK(ag::dropout(x, 0.5, false).is_same(x));
  CHECK(ag::dropout(x, 0.0).is_same(x));
}

TEST_CASE("dropout with p = 1 zeroes everything, gradient included", "[dropout]") {
  const ag::Tensor x = normal({3, 4}).requires_grad_();
  const ag::Tensor y = ag::dropout(x, 1.0);
  CHECK_THAT(y, HasValues(std::vector<double>(12, 0.0)));
  ag::sum(y).backward();
  CHECK_THAT(x.grad(), HasValues(std::vector<double>(12, 0.0)));
}

TEST_CASE("dropout's gradient is its mask scaled by 1 / (1 - p)", "[dropout][gradcheck]") {
  ag::manual_seed(33);
  const ag::Tensor x = ag::ones({50}, ag::dtype(ag::kFloat64).requires_grad(true));
  const ag::Tensor y = ag::dropout(x, 0.3);
  CHECK(std::string(y.op_name()) == "dropout");
  ag::sum(y).backward();
  CHECK(x.grad().to_vector() == y.detach().to_vector());

  // Each evaluation draws its mask after the same seed, so finite differences see one fixed mask.
  const auto seeded = [](const std::vector<ag::Tensor>& in) {
    ag::manual_seed(34);
    return ag::dropout(in[0], 0.3);
  };
  check_gradients_twice(seeded, {normal({4, 5})});
  check_gradients_twice([&](const auto& in) { return seeded(in) * in[0]; }, {normal({6})});
}

TEST_CASE("dropout names the op and the value when misused", "[dropout][errors]") {
  const ag::Tensor x = ag::zeros({2, 3});
  CHECK_THROWS_WITH(
      ag::dropout(x, -0.1),
      StartsWith("dropout: p = -0.1 is not a probability (expected 0 <= p <= 1); input has shape [2, 3]"));
  CHECK_THROWS_WITH(ag::dropout(x, 1.5), Contains("p = 1.5 is not a probability"));
  CHECK_THROWS_WITH(ag::dropout(x, std::numeric_limits<double>::quiet_NaN()), Contains("p = nan"));
  CHECK_THROWS_WITH(ag::dropout(x, -0.1, false), Contains("p = -0.1"));
  CHECK_THROWS_WITH(ag::dropout(ag::zeros({2}, ag::kInt64), 0.5),
                    Contains("dropout: input of shape [2] has dtype int64, expected float32 or float64"));
}

TEST_CASE("dropout keeps no values of its input or output in the graph", "[dropout][saved_values]") {
  const ag::Tensor x0 = normal({10, 10}).requires_grad_();
  // x is made by an op, so graph_bytes would count it if dropout kept it; only the 0-d float64 loss is left.
  const ag::Tensor loss = ag::sum(ag::dropout(x0 * 2.0, 0.5));
  CHECK(ag::graph_bytes(loss) == 8);
}
