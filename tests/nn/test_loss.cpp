#include <nn/nn.hpp>

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "test_tensors.hpp"

#include <cmath>

using ag::nn::Reduction;
using Catch::Contains;
namespace F = ag::nn::functional;

namespace {

const auto kAllReductions = {Reduction::Mean, Reduction::Sum, Reduction::None};

ag::Tensor f64(const ag::NestedValues& values) { return ag::tensor(values, ag::kFloat64); }
ag::Tensor int64(const ag::NestedValues& values) { return ag::tensor(values, ag::kInt64); }

}  // namespace

TEST_CASE("mse_loss averages, sums or keeps the squared errors", "[nn][loss]") {
  const auto input = f64({1.0, 2.0, 3.0});
  const auto target = f64({1.0, 0.0, 5.0});
  CHECK(F::mse_loss(input, target).item() == Approx(8.0 / 3.0));
  CHECK(F::mse_loss(input, target, Reduction::Sum).item() == Approx(8.0));
  CHECK(F::mse_loss(input, target, Reduction::None).to_vector() == std::vector<double>{0.0, 4.0, 4.0});
  CHECK(ag::nn::MSELoss(Reduction::Sum)(input, target).item() == Approx(8.0));
}

TEST_CASE("binary_cross_entropy is -log of the probability given to the target", "[nn][loss]") {
  const auto probabilities = f64({0.8, 0.3});
  const auto target = f64({1.0, 0.0});
  CHECK(F::binary_cross_entropy(probabilities, target, Reduction::None).at({0}) == Approx(-std::log(0.8)));
  CHECK(F::binary_cross_entropy(probabilities, target, Reduction::None).at({1}) == Approx(-std::log(0.7)));
  CHECK(ag::nn::BCELoss()(probabilities, target).item() == Approx(-(std::log(0.8) + std::log(0.7)) / 2.0));
}

TEST_CASE("binary_cross_entropy clamps its logs at -100 and keeps gradients finite at 0 and 1", "[nn][loss]") {
  const auto probabilities = ag::tensor({0.0, 1.0, 1.0}, ag::dtype(ag::kFloat64).requires_grad(true));
  const auto target = f64({1.0, 1.0, 0.0});
  const auto losses = F::binary_cross_entropy(probabilities, target, Reduction::None);
  CHECK(losses.to_vector() == std::vector<double>{100.0, 0.0, 100.0});
  losses.sum().backward();
  // PyTorch's gradient: (x - y) / max(x (1 - x), 1e-12).
  CHECK(probabilities.grad().at({0}) == Approx(-1e12));
  CHECK(probabilities.grad().at({1}) == 0.0);
  CHECK(probabilities.grad().at({2}) == Approx(1e12));

  const auto saturated = ag::tensor({40.0, -40.0}, ag::dtype(ag::kFloat64).requires_grad(true));
  ag::nn::BCELoss()(saturated.sigmoid(), f64({1.0, 0.0})).backward();
  for (double g : saturated.grad().to_vector()) CHECK(std::isfinite(g));
}

TEST_CASE("binary_cross_entropy_with_logits equals BCE of the sigmoid and stays finite for large logits",
          "[nn][loss]") {
  const auto logits = f64({0.0, 2.0, -3.0});
  const auto target = f64({1.0, 0.0, 1.0});
  const auto losses = F::binary_cross_entropy_with_logits(logits, target, Reduction::None);
  CHECK(losses.at({0}) == Approx(std::log(2.0)));
  CHECK(losses.at({1}) == Approx(2.0 + std::log(1.0 + std::exp(-2.0))));
  const auto reference = F::binary_cross_entropy(logits.sigmoid(), target, Reduction::None);
  for (int i = 0; i < 3; ++i) CHECK(losses.at({i}) == Approx(reference.at({i})));

  const auto extreme = F::binary_cross_entropy_with_logits(f64({1000.0, -1000.0}), f64({0.0, 1.0}), Reduction::None);
  CHECK(extreme.to_vector() == std::vector<double>{1000.0, 1000.0});
}

TEST_CASE("binary_cross_entropy_with_logits has the gradient sigmoid(x) - y, also at x = 0", "[nn][loss]") {
  const auto logits = ag::tensor({0.0, 0.0, 1.5}, ag::dtype(ag::kFloat64).requires_grad(true));
  ag::nn::BCEWithLogitsLoss(Reduction::Sum)(logits, f64({1.0, 0.0, 1.0})).backward();
  CHECK(logits.grad().at({0}) == Approx(-0.5));
  CHECK(logits.grad().at({1}) == Approx(0.5));
  CHECK(logits.grad().at({2}) == Approx(1.0 / (1.0 + std::exp(-1.5)) - 1.0));
}

TEST_CASE("cross_entropy is the negative log-softmax at each row's target class", "[nn][loss]") {
  const auto logits = f64({{1.0, 2.0, 3.0}, {1.0, 1.0, 1.0}});
  const auto target = int64({2, 0});
  const double first = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 3.0;
  const double second = std::log(3.0);
  const auto losses = F::cross_entropy(logits, target, Reduction::None);
  CHECK(losses.shape() == ag::Shape{2});
  CHECK(losses.at({0}) == Approx(first));
  CHECK(losses.at({1}) == Approx(second));
  CHECK(ag::nn::CrossEntropyLoss()(logits, target).item() == Approx((first + second) / 2.0));
  CHECK(ag::nn::CrossEntropyLoss(Reduction::Sum)(logits, target).item() == Approx(first + second));
  CHECK(ag::nn::NLLLoss()(ag::nn::LogSoftmax(1)(logits), target).item() == Approx((first + second) / 2.0));
}

TEST_CASE("hinge_loss is relu(1 - y x) for targets of ±1", "[nn][loss]") {
  const auto scores = f64({2.0, 0.5, -0.25});
  const auto target = f64({1.0, -1.0, -1.0});
  CHECK(F::hinge_loss(scores, target, Reduction::None).to_vector() == std::vector<double>{0.0, 1.5, 0.75});
  CHECK(ag::nn::HingeLoss()(scores, target).item() == Approx(0.75));
  CHECK(ag::nn::HingeLoss(Reduction::Sum)(scores, target).item() == Approx(2.25));
}

// A gradient penalty differentiates through the loss's gradient, so every loss is checked to the second order.
TEST_CASE("every loss passes gradcheck and gradgradcheck with every reduction", "[nn][loss][gradcheck]") {
  ag::manual_seed(3);
  const auto scores = ag::randn({4, 3}, ag::kFloat64);
  const auto other = ag::randn({4, 3}, ag::kFloat64);
  const auto probabilities = ag::rand({4, 3}, ag::kFloat64) * 0.8 + 0.1;
  const auto soft_labels = ag::rand({4, 3}, ag::kFloat64);
  const auto classes = int64({2, 0, 1, 2});
  // Scores kept away from the hinge's kink at y x = 1; its ±1 targets are labels, not checked inputs.
  const auto margins = f64({{2.0, 0.5, -0.25}, {0.2, -1.7, 3.0}, {0.6, 0.4, -2.5}, {-0.5, 1.6, 0.1}});
  const auto signs = f64({{1.0, -1.0, -1.0}, {-1.0, 1.0, 1.0}, {1.0, 1.0, -1.0}, {1.0, -1.0, -1.0}});

  for (const Reduction reduction : kAllReductions) {
    check_gradients_twice([&](const auto& in) { return F::mse_loss(in[0], in[1], reduction); }, {scores, other});
    check_gradients_twice([&](const auto& in) { return F::binary_cross_entropy(in[0], in[1], reduction); },
                          {probabilities, soft_labels});
    check_gradients_twice([&](const auto& in) { return F::binary_cross_entropy_with_logits(in[0], in[1], reduction); },
                          {scores, soft_labels});
    check_gradients_twice([&](const auto& in) { return F::cross_entropy(in[0], classes, reduction); }, {scores});
    check_gradients_twice([&](const auto& in) { return F::nll_loss(in[0], classes, reduction); }, {scores});
    check_gradients_twice([&](const auto& in) { return F::hinge_loss(in[0], signs, reduction); }, {margins});
  }
}

TEST_CASE("binary_cross_entropy_with_logits passes gradcheck and gradgradcheck at a logit of exactly 0",
          "[nn][loss][gradcheck]") {
  check_gradients_twice([](const auto& in) { return F::binary_cross_entropy_with_logits(in[0], in[1]); },
                        {f64({0.0, 0.0, -1.0}), f64({1.0, 0.3, 0.0})});
  // Where a zero-initialised last layer starts: the second derivative is sigmoid'(0) = 1/4.
  const auto logit = ag::tensor({0.0}, ag::dtype(ag::kFloat64).requires_grad(true));
  const auto slope =
      ag::grad({F::binary_cross_entropy_with_logits(logit, f64({1.0}))}, {logit}, {.create_graph = true})[0];
  CHECK(ag::grad({slope.sum()}, {logit})[0].item() == Approx(0.25));
}

TEST_CASE("losses name both shapes when input and target do not match", "[nn][loss][errors]") {
  const auto a = ag::zeros({2, 3});
  const auto b = ag::zeros({3, 2});
  CHECK_THROWS_WITH(F::mse_loss(a, b), Contains("mse_loss") && Contains("[2, 3]") && Contains("[3, 2]"));
  CHECK_THROWS_WITH(ag::nn::BCELoss()(a, b),
                    Contains("binary_cross_entropy") && Contains("[2, 3]") && Contains("[3, 2]"));
  CHECK_THROWS_WITH(ag::nn::BCEWithLogitsLoss()(a, b), Contains("[2, 3]") && Contains("[3, 2]"));
  CHECK_THROWS_WITH(ag::nn::HingeLoss()(a, b), Contains("hinge_loss") && Contains("[2, 3]") && Contains("[3, 2]"));
  CHECK_THROWS_WITH(F::cross_entropy(a, ag::zeros({3}, ag::kInt64)),
                    Contains("cross_entropy") && Contains("[2, 3]") && Contains("[3]"));
  CHECK_THROWS_WITH(F::nll_loss(ag::zeros({3}), ag::zeros({3}, ag::kInt64)),
                    Contains("nll_loss") && Contains("[N, C]"));
}

TEST_CASE("cross_entropy and nll_loss name a class index that is out of range, and C", "[nn][loss][errors]") {
  const auto logits = ag::zeros({2, 3});
  CHECK_THROWS_WITH(F::cross_entropy(logits, int64({0, 3})),
                    "cross_entropy: target 3 at position 1 is not a class index for 3 classes (expected an integer in "
                    "[0, 2])");
  CHECK_THROWS_WITH(F::cross_entropy(logits, int64({-1, 0})), Contains("target -1 ") && Contains("3 classes"));
  CHECK_THROWS_WITH(ag::nn::NLLLoss()(logits, int64({0, 7})), Contains("nll_loss") && Contains("target 7"));
}

TEST_CASE("cross_entropy and nll_loss refuse float targets and say to pass int64 class indices", "[nn][loss][errors]") {
  const auto logits = ag::zeros({3, 3});
  CHECK_THROWS_WITH(F::cross_entropy(logits, ag::tensor({0.0, 1.0, 2.0})),
                    "cross_entropy: target must be int64 class indices, got float32 (shape [3]); convert with "
                    ".to(ag::kInt64)");
  CHECK_THROWS_WITH(ag::nn::NLLLoss()(logits, f64({0.0, 1.0, 2.0})),
                    Contains("nll_loss") && Contains("got float64") && Contains(".to(ag::kInt64)"));
  CHECK_THROWS_WITH(F::cross_entropy(logits, ag::tensor({0.0, 1.0, 1.0}, ag::kBool)), Contains("got bool"));
}

TEST_CASE("binary_cross_entropy refuses values outside [0, 1] and hinge_loss targets other than ±1",
          "[nn][loss][errors]") {
  CHECK_THROWS_WITH(F::binary_cross_entropy(ag::tensor({0.5, 2.0}), ag::tensor({1.0, 0.0})),
                    Contains("[0, 1]") && Contains("with_logits"));
  CHECK_THROWS_WITH(F::hinge_loss(ag::tensor({0.5, 2.0}), ag::tensor({1.0, 0.0})),
                    Contains("1 or -1") && Contains("got 0"));
}

TEST_CASE("loss modules show their reduction", "[nn][loss]") {
  CHECK(ag::nn::MSELoss().summary() == "MSELoss(reduction=mean)\nTotal parameters: 0\n");
  CHECK(ag::nn::CrossEntropyLoss(Reduction::None).extra_repr() == "reduction=none");
  CHECK(ag::nn::HingeLoss(Reduction::Sum).reduction() == Reduction::Sum);
}

TEST_CASE("losses of NaN inputs are NaN, so a diverged model shows it", "[nn][loss]") {
  const auto nan_scores = f64({NAN, 0.5});
  CHECK(std::isnan(F::hinge_loss(nan_scores, f64({1.0, -1.0})).item()));
  CHECK(std::isnan(F::binary_cross_entropy(nan_scores, f64({1.0, 0.0})).item()));
  CHECK(std::isnan(F::binary_cross_entropy_with_logits(nan_scores, f64({0.0, 1.0})).item()));
  CHECK(std::isnan(F::mse_loss(nan_scores, f64({0.0, 1.0})).item()));

  SECTION("an MLP whose first weight is NaN reports NaN for every loss, not the loss of its bias alone") {
    const auto options = ag::nn::LinearOptions().dtype(ag::kFloat64);
    auto first = std::make_shared<ag::nn::Linear>(2, 3, options);
    ag::nn::Sequential model(first, std::make_shared<ag::nn::ReLU>(), std::make_shared<ag::nn::Linear>(3, 1, options));
    {
      ag::NoGradGuard no_grad;
      first->weight.fill_(NAN);
    }
    const auto scores = model(f64({{0.5, -1.0}, {2.0, 1.0}}));
    const auto target = f64({{1.0}, {-1.0}});
    CHECK(std::isnan(F::hinge_loss(scores, target).item()));
    CHECK(std::isnan(F::binary_cross_entropy_with_logits(scores, f64({{1.0}, {0.0}})).item()));
    CHECK(std::isnan(F::binary_cross_entropy(ag::sigmoid(scores), f64({{1.0}, {0.0}})).item()));
    CHECK(std::isnan(F::mse_loss(scores, target).item()));
  }
}
