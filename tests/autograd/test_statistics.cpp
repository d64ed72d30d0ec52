#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"
#include "reduce_by_hand.hpp"
#include "tensor_matchers.hpp"
#include "test_tensors.hpp"

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

using Catch::Contains;
using Catch::StartsWith;

TEST_CASE("var and std match PyTorch over all elements and along dims", "[ops][statistics]") {
  const auto rows = ag::tensor({{1, 2, 3, 4}, {2, 4, 6, 8}}, ag::kFloat64);
  CHECK(ag::var(rows).item() == Approx(37.5 / 7));
  CHECK(rows.var({}, 0.0).item() == Approx(4.6875));
  CHECK(ag::std(rows).item() == Approx(2.3145502494313788));
  CHECK(ag::var(rows).shape() == ag::Shape{});

  CHECK_THAT(ag::var(rows, {1}), HasValues({5.0 / 3, 20.0 / 3}));
  CHECK_THAT(rows.std({-1}), HasValues({1.2909944487358056, 2.581988897471611}));
  CHECK(ag::var(rows, {0}, 1.0, true).shape() == ag::Shape{1, 4});
  CHECK_THAT(ag::var(rows, {0}, 1.0, true), HasValues({0.5, 2, 4.5, 8}));
  CHECK_THAT(ag::std(rows, {0, 1}, 0.0, true), HasValues({std::sqrt(4.6875)}));
  CHECK(ag::std(rows, {0, 1}, 0.0, true).shape() == ag::Shape{1, 1});
}

TEST_CASE("var with no degrees of freedom left divides by zero, as PyTorch", "[ops][statistics]") {
  CHECK(std::isnan(ag::var(ag::tensor({5})).item()));
  CHECK(std::isnan(ag::std(ag::tensor({5})).item()));
  CHECK(ag::var(ag::tensor({5}), {}, 0.0).item() == 0.0);
  CHECK(ag::var(ag::tensor({1, 3}), {}, 2.0).item() == INFINITY);
}

TEST_CASE("var and std reduce along every kind of dims like the textbook formula", "[ops][statistics]") {
  ag::manual_seed(30);
  const auto x = normal({2, 3, 4});
  for (const Reduction& r : kReductions) {
    INFO(r.describe());
    const double n = group_size(r);
    const std::vector<double> sums = sum_by_hand(x, r);
    std::vector<double> variances = reduce_by_hand(x, r, 0.0, [](double total, double v) { return total + v * v; });
    std::vector<double> deviations(variances.size());
    for (std::size_t i = 0; i < variances.size(); ++i) {
      variances[i] = (variances[i] - sums[i] * sums[i] / n) / (n - 1);
      deviations[i] = std::sqrt(variances[i]);
    }
    CHECK(ag::var(x, r.dims, 1.0, r.keepdim).shape() == r.result);
    CHECK_THAT(ag::var(x, r.dims, 1.0, r.keepdim), HasValues(variances));
    CHECK_THAT(ag::std(x, r.dims, 1.0, r.keepdim), HasValues(deviations));
  }
}

TEST_CASE("var and std pass gradcheck and gradgradcheck along every kind of dims and correction", "[ops][statistics]") {
  ag::manual_seed(31);
  const auto x = normal({2, 3, 4});
  for (const Reduction& r : kReductions) {
    for (double correction : {0.0, 1.0}) {
      INFO(r.describe() << ", correction " << correction);
      check_gradients_twice([&](const auto& in) { return ag::var(in[0], r.dims, correction, r.keepdim); }, {x});
      check_gradients_twice([&](const auto& in) { return ag::std(in[0], r.dims, correction, r.keepdim); }, {x});
    }
  }
  INFO("input reused: std(x, 1) * x");
  check_gradients_twice([](const auto& in) { return ag::std(in[0], {1}, 1.0, true) * in[0]; }, {normal({2, 3})});
}

TEST_CASE("var's and std's gradients match PyTorch, and are 0 for a constant tensor", "[ops][statistics]") {
  auto x = ag::tensor({1, 2, 3, 4}, ag::requires_grad());
  ag::var(x).backward();
  CHECK_THAT(x.grad(), HasValues({-1, -1.0 / 3, 1.0 / 3, 1}, 1e-6));
  x.zero_grad();
  ag::std(x).backward();
  CHECK_THAT(x.grad(),
             HasValues({-0.3872983346207417, -0.12909944487358055, 0.12909944487358055, 0.3872983346207417}, 1e-6));

  // torch.tensor([2., 2, 2], requires_grad=True).std().backward() gives zeros, not NaN.
  auto constant = ag::tensor({2, 2, 2}, ag::requires_grad());
  ag::std(constant).backward();
  CHECK_THAT(constant.grad(), HasValues({0, 0, 0}));
}

TEST_CASE("std's and norm's gradients at zero stay 0 and finite under create_graph",
          "[ops][statistics][higher_order]") {
  const auto twice = [](const std::function<ag::Tensor(const ag::Tensor&)>& f, const ag::Tensor& values) {
    const auto x = values.clone().requires_grad_();
    const auto dx = ag::grad({f(x)}, {x}, {.create_graph = true})[0];
    CHECK(dx.requires_grad());
    CHECK_THAT(dx, HasValues(std::vector<double>(values.numel(), 0.0)));
    return ag::grad({ag::sum(dx * ag::arange(1.0, 1.0 + values.numel(), 1.0, ag::kFloat64))}, {x})[0];
  };
  const auto constant = ag::full({3}, 2.0, ag::kFloat64);
  CHECK_THAT(twice([](const ag::Tensor& x) { return ag::std(x); }, constant), HasValues({0, 0, 0}));
  for (double p : {0.5, 1.0, 2.0, 3.0}) {
    INFO("p = " << p);
    const auto second = twice([p](const ag::Tensor& x) { return ag::norm(x, p); }, ag::zeros({3}, ag::kFloat64));
    CHECK_THAT(second, HasValues({0, 0, 0}));
  }
}

TEST_CASE("norm matches PyTorch's vector_norm for p = 1, 2, 3, 0.5 and inf", "[ops][statistics]") {
  const auto v = ag::tensor({3, -4}, ag::kFloat64);
  CHECK(ag::norm(v).item() == Approx(5));
  CHECK(v.norm(1).item() == Approx(7));
  CHECK(v.norm(3).item() == Approx(4.497941445275415));
  CHECK(v.norm(0.5).item() == Approx(13.928203230275509));
  CHECK(v.norm(INFINITY).item() == 4);
  CHECK(ag::norm(ag::zeros({0})).item() == 0);

  const auto rows = ag::tensor({{3, -4}, {0, 0}});
  CHECK_THAT(ag::norm(rows, 2, {1}), HasValues({5, 0}));
  CHECK(ag::norm(rows, 2, {-1}, true).shape() == ag::Shape{2, 1});
  CHECK_THAT(ag::norm(rows, 1, {0}), HasValues({3, 4}));
  CHECK_THAT(ag::norm(rows, INFINITY, {0}, true), HasValues({3, 4}));
  CHECK(ag::norm(rows).dtype() == ag::kFloat32);
}

TEST_CASE("norm's gradient matches PyTorch, splits ties for p = inf and is 0 at zero", "[ops][statistics]") {
  const auto gradient = [](const ag::Tensor& values, double p) {
    auto x = values.clone().requires_grad_();
    ag::norm(x, p).backward();
    return x.grad();
  };
  const auto v = ag::tensor({3, -4}, ag::kFloat64);
  CHECK_THAT(gradient(v, 2), HasValues({0.6, -0.8}));
  CHECK_THAT(gradient(v, 1), HasValues({1, -1}));
  CHECK_THAT(gradient(v, 3), HasValues({0.4448513517305356, -0.7908468475209521}));
  CHECK_THAT(gradient(ag::tensor({3, -4, 4}), INFINITY), HasValues({0, -0.5, 0.5}));

  for (double p : {0.5, 1.0, 2.0, 3.0, double(INFINITY)}) {
    INFO("p = " << p);
    CHECK_THAT(gradient(ag::zeros({3}, ag::kFloat64), p), HasValues({0, 0, 0}));
  }
  // At a zero element with p < 1 the derivative is infinite; PyTorch takes it as 0, as for the others.
  CHECK_THAT(gradient(ag::tensor({0, 4}, ag::kFloat64), 0.5), HasValues({0, 1}));
}

TEST_CASE("norm reduces along every kind of dims and passes gradcheck and gradgradcheck", "[ops][statistics]") {
  ag::manual_seed(32);
  const auto x = normal({2, 3, 4});
  for (const Reduction& r : kReductions) {
    INFO(r.describe());
    std::vector<double> lengths = reduce_by_hand(x, r, 0.0, [](double total, double v) { return total + v * v; });
    for (double& length : lengths) length = std::sqrt(length);
    CHECK(ag::norm(x, 2, r.dims, r.keepdim).shape() == r.result);
    CHECK_THAT(ag::norm(x, 2, r.dims, r.keepdim), HasValues(lengths));
    for (double p : {1.0, 2.0, 3.0, double(INFINITY)}) {
      INFO("p = " << p);
      check_gradients_twice([&](const auto& in) { return ag::norm(in[0], p, r.dims, r.keepdim); }, {x});
    }
  }
  INFO("p = 0.5, and the input reused: norm(x, 0.5, 1) * x");
  check_gradients_twice([](const auto& in) { return ag::norm(in[0], 0.5, {1}, true) * in[0]; }, {off_zero({2, 3})});
}

TEST_CASE("logsumexp matches PyTorch and neither overflows nor underflows", "[ops][statistics]") {
  CHECK(ag::logsumexp(ag::tensor({1, 2, 3}, ag::kFloat64), {}).item() == Approx(3.4076059644443806));
  CHECK(ag::logsumexp(ag::tensor({1000, 1000}, ag::kFloat64), {0}).item() == Approx(1000.6931471805599));
  CHECK(ag::logsumexp(ag::tensor({-1000, -1000}, ag::kFloat64), {0}).item() == Approx(-999.3068528194401));
  CHECK(ag::logsumexp(ag::tensor({1000, 1001}), {0}).item() == Approx(1001.3132616875182));

  const auto rows = ag::tensor({{1, 2, 3}, {0, 0, 0}}, ag::kFloat64);
  CHECK_THAT(rows.logsumexp({1}), HasValues({3.4076059644443806, 1.0986122886681098}));
  CHECK(rows.logsumexp({-1}, true).shape() == ag::Shape{2, 1});
}

TEST_CASE("logsumexp of infinities, NaN and empty groups is what PyTorch gives", "[ops][statistics]") {
  CHECK(ag::logsumexp(ag::tensor({-INFINITY, -INFINITY}), {0}).item() == -INFINITY);
  CHECK(ag::logsumexp(ag::tensor({INFINITY, 0}), {0}).item() == INFINITY);
  CHECK(std::isnan(ag::logsumexp(ag::tensor({NAN, 0}), {0}).item()));
  const auto empty_rows = ag::logsumexp(ag::zeros({2, 0}), {1});
  CHECK(empty_rows.shape() == ag::Shape{2});
  CHECK_THAT(empty_rows, HasValues({-INFINITY, -INFINITY}));
}

TEST_CASE("logsumexp's gradient is the softmax, also where exp would overflow, and passes gradgradcheck",
          "[ops][statistics]") {
  auto x = ag::tensor({1, 2, 3}, ag::requires_grad());
  ag::logsumexp(x, {0}).backward();
  CHECK_THAT(x.grad(), HasValues({0.09003057317038046, 0.24472847105479767, 0.6652409557748219}, 1e-6));

  auto large = ag::tensor({1000, 1000}, ag::requires_grad());
  ag::logsumexp(large, {0}).backward();
  CHECK_THAT(large.grad(), HasValues({0.5, 0.5}));

  ag::manual_seed(33);
  const auto cube = normal({2, 3, 4});
  for (const Reduction& r : kReductions) {
    INFO(r.describe());
    const std::vector<double> expected =
        reduce_by_hand(cube, r, 0.0, [](double total, double v) { return total + std::exp(v); });
    std::vector<double> logs(expected.size());
    for (std::size_t i = 0; i < logs.size(); ++i) logs[i] = std::log(expected[i]);
    CHECK_THAT(ag::logsumexp(cube, r.dims, r.keepdim), HasValues(logs));
    check_gradients_twice([&](const auto& in) { return ag::logsumexp(in[0], r.dims, r.keepdim); }, {cube});
  }
}

TEST_CASE("statistics name the op, the dtype or the shape when they cannot compute", "[ops][statistics][errors]") {
  CHECK_THROWS_WITH(ag::var(ag::tensor({1, 2}, ag::kInt64)),
                    "var: not supported for dtype int64 (expected float32 or float64); convert with .to()");
  CHECK_THROWS_WITH(ag::norm(ag::tensor({1, 0}, ag::kBool)), StartsWith("norm: not supported for dtype bool"));
  CHECK_THROWS_WITH(ag::logsumexp(ag::tensor({1, 2}, ag::kInt64), {0}), StartsWith("logsumexp: not supported"));

  const auto empty = ag::zeros({0, 3});
  CHECK_THROWS_WITH(ag::var(empty), "var: the reduced dimensions of shape [0, 3] are empty, so there is no variance");
  CHECK_THROWS_WITH(ag::std(empty, {0}), StartsWith("std:") && Contains("[0, 3]"));
  CHECK_THROWS_WITH(ag::norm(empty, INFINITY),
                    "norm: the reduced dimensions of shape [0, 3] are empty, so there is no inf norm (largest |x|)");
  CHECK(ag::var(empty, {1}).shape() == ag::Shape{0});

  const auto x = ag::zeros({2, 3});
  CHECK_THROWS_WITH(ag::norm(x, 0), "norm: p must be positive or inf, got 0 (input shape [2, 3])");
  CHECK_THROWS_WITH(ag::norm(x, -INFINITY), StartsWith("norm: p must be positive or inf, got -inf"));
  CHECK_THROWS_WITH(ag::std(x, {1, -1}), "std: dim -1 appears twice in [1, -1]");
  CHECK_THROWS_WITH(ag::logsumexp(x, {2}),
                    "logsumexp: dim 2 is out of range for a tensor with 2 dimensions (expected [-2, 1])");
}
