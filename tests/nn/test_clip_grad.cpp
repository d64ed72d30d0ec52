#include <nn/nn.hpp>

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

using Catch::Contains;

namespace {

// Parameters whose gradients are `gradients` (one backward of Σ p·g).
std::vector<ag::Tensor> with_gradients(const std::vector<std::vector<double>>& gradients,
                                       ag::DType dtype = ag::kFloat64) {
  std::vector<ag::Tensor> parameters;
  ag::Tensor loss = ag::scalar(0.0, dtype);
  for (const auto& gradient : gradients) {
    const auto n = static_cast<std::int64_t>(gradient.size());
    parameters.push_back(ag::zeros({n}, ag::dtype(dtype).requires_grad(true)));
    loss = loss + (parameters.back() * ag::from_vector(gradient, {n}, dtype)).sum();
  }
  loss.backward();
  return parameters;
}

}  // namespace

TEST_CASE("clip_grad_norm_ scales the gradients to the maximal norm and returns the norm before", "[nn][clip_grad]") {
  // Gradients [3, 4] and [12]: total 2-norm sqrt(9 + 16 + 144) = 13; scaled by 6.5 / (13 + 1e-6).
  auto parameters = with_gradients({{3.0, 4.0}, {12.0}});
  CHECK(ag::nn::utils::clip_grad_norm_(parameters, 6.5) == Approx(13.0).epsilon(1e-15));
  const double coefficient = 6.5 / (13.0 + 1e-6);
  CHECK(parameters[0].grad().to_vector() == std::vector<double>{3.0 * coefficient, 4.0 * coefficient});
  CHECK(parameters[1].grad().to_vector() == std::vector<double>{12.0 * coefficient});

  // Below the maximum, nothing changes.
  auto small = with_gradients({{3.0, 4.0}});
  CHECK(ag::nn::utils::clip_grad_norm_(small, 10.0) == Approx(5.0));
  CHECK(small[0].grad().to_vector() == std::vector<double>{3.0, 4.0});
}

TEST_CASE("clip_grad_norm_ takes the norm of other orders over all gradients", "[nn][clip_grad]") {
  // 1-norm: 3 + 4 + 12 = 19. Infinity norm: the largest magnitude, 12.
  auto parameters = with_gradients({{3.0, -4.0}, {-12.0}});
  CHECK(ag::nn::utils::clip_grad_norm_(parameters, 100.0, 1.0) == Approx(19.0));
  const double infinity = std::numeric_limits<double>::infinity();
  CHECK(ag::nn::utils::clip_grad_norm_(parameters, 6.0, infinity) == 12.0);
  const double coefficient = 6.0 / (12.0 + 1e-6);
  CHECK(parameters[1].grad().item() == Approx(-12.0 * coefficient).epsilon(1e-15));
  // 3-norm: (27 + 64) ^ (1/3).
  auto cubed = with_gradients({{3.0}, {-4.0}});
  CHECK(ag::nn::utils::clip_grad_norm_(cubed, 100.0, 3.0) == Approx(std::cbrt(91.0)).epsilon(1e-14));
}

TEST_CASE("clip_grad_norm_ works on float32 gradients and skips parameters without one", "[nn][clip_grad]") {
  auto parameters = with_gradients({{3.0, 4.0}}, ag::kFloat32);
  parameters.push_back(ag::ones({3}, ag::requires_grad()));  // no gradient
  CHECK(ag::nn::utils::clip_grad_norm_(parameters, 1.0) == Approx(5.0));
  const float coefficient = static_cast<float>(1.0 / (5.0 + 1e-6));
  CHECK(parameters[0].grad().to_vector() == std::vector<double>{3.0f * coefficient, 4.0f * coefficient});
  CHECK_FALSE(parameters[1].grad().defined());
  CHECK(ag::nn::utils::clip_grad_norm_(std::vector<ag::Tensor>{parameters[1]}, 1.0) == 0.0);
  CHECK(ag::nn::utils::clip_grad_norm_(parameters[0], 10.0) == Approx(1.0).epsilon(1e-6));
}

TEST_CASE("clip_grad_norm_ refuses a non-finite norm when asked to, and bad settings", "[nn][clip_grad][errors]") {
  const double infinity = std::numeric_limits<double>::infinity();
  auto parameters = with_gradients({{1.0, infinity}});
  CHECK_THROWS_WITH(ag::nn::utils::clip_grad_norm_(parameters, 1.0, 2.0, true),
                    Contains("clip_grad_norm_: the total norm of order 2 of the gradients is inf, so they cannot be "
                             "clipped; to scale them by it anyway, pass error_if_nonfinite = false"));
  CHECK(parameters[0].grad().at({0}) == 1.0);  // unchanged
  auto nan = with_gradients({{1.0, std::nan("")}});
  CHECK_THROWS_WITH(ag::nn::utils::clip_grad_norm_(nan, 1.0, infinity, true), Contains("is nan"));
  // Without the check, as PyTorch: an infinite norm scales the finite gradients to zero.
  CHECK(std::isinf(ag::nn::utils::clip_grad_norm_(parameters, 1.0)));
  CHECK(parameters[0].grad().at({0}) == 0.0);

  auto fine = with_gradients({{1.0}});
  CHECK_THROWS_WITH(ag::nn::utils::clip_grad_norm_(fine, -1.0),
                    Contains("clip_grad_norm_: max_norm must be non-negative, got -1"));
  CHECK_THROWS_WITH(ag::nn::utils::clip_grad_norm_(fine, 1.0, 0.0),
                    Contains("clip_grad_norm_: norm_type must be positive or infinity, got 0"));
}

TEST_CASE("clip_grad_value_ clamps each gradient element", "[nn][clip_grad]") {
  auto parameters = with_gradients({{-3.0, 0.5, 2.0}, {-0.25}});
  ag::nn::utils::clip_grad_value_(parameters, 1.0);
  CHECK(parameters[0].grad().to_vector() == std::vector<double>{-1.0, 0.5, 1.0});
  CHECK(parameters[1].grad().to_vector() == std::vector<double>{-0.25});
  auto single = with_gradients({{5.0}}, ag::kFloat32);
  ag::nn::utils::clip_grad_value_(single[0], 0.5);
  CHECK(single[0].grad().item() == 0.5);
  CHECK_THROWS_WITH(ag::nn::utils::clip_grad_value_(parameters, -1.0),
                    Contains("clip_grad_value_: clip_value must be non-negative, got -1"));
}
