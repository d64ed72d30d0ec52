#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"
#include "tensor_matchers.hpp"

#include <cmath>
#include <vector>

namespace fn = ag::functional;
using Catch::Contains;

namespace {
// A one-hidden-layer tanh network's mean squared error on fixed data, as a function of its flat parameters
// [W1 (3x2), b1 (3), w2 (3)]: smooth, with a dense Hessian.
ag::Tensor mlp_loss(const ag::Tensor& params) {
  const ag::Tensor x = ag::tensor({{0.5, -1.0}, {1.5, 0.25}, {-0.75, 2.0}, {0.1, 0.3}}, ag::kFloat64);
  const ag::Tensor y = ag::tensor({1.0, -0.5, 0.25, 0.0}, ag::kFloat64);
  const ag::Tensor w1 = params.narrow(0, 0, 6).reshape({3, 2});
  const ag::Tensor b1 = params.narrow(0, 6, 3);
  const ag::Tensor w2 = params.narrow(0, 9, 3);
  const ag::Tensor hidden = ag::tanh(ag::matmul(x, w1.transpose(0, 1)) + b1);
  const ag::Tensor error = ag::matmul(hidden, w2) - y;
  return ag::mean(error * error);
}

ag::Tensor mlp_params() {
  return ag::tensor({0.3, -0.2, 0.5, 0.1, -0.4, 0.7, 0.05, -0.1, 0.2, 0.6, -0.8, 0.45}, ag::kFloat64);
}
ag::Tensor direction() {
  return ag::tensor({1.0, -0.5, 0.25, 0.0, 0.75, -1.0, 0.5, 0.5, -0.25, 1.0, 0.1, -0.3}, ag::kFloat64);
}

ag::Tensor loss_gradient(const ag::Tensor& params) {
  const ag::Tensor p = params.detach().clone().requires_grad_();
  return ag::grad({mlp_loss(p)}, {p})[0];
}

double max_abs_difference(const ag::Tensor& a, const ag::Tensor& b) {
  const std::vector<double> va = a.to_vector();
  const std::vector<double> vb = b.to_vector();
  REQUIRE(va.size() == vb.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < va.size(); ++i) worst = std::max(worst, std::abs(va[i] - vb[i]));
  return worst;
}
}  // namespace

TEST_CASE("hvp of a small MLP's loss matches finite differences of its gradient", "[functional][hvp]") {
  const ag::Tensor params = mlp_params();
  const ag::Tensor v = direction();
  const auto [loss, hv] = fn::hvp([](const auto& in) { return mlp_loss(in[0]); }, {params}, {v});
  CHECK(loss.item() == Approx(mlp_loss(params).item()));
  const double eps = 1e-5;
  const ag::Tensor numeric = (loss_gradient(params + eps * v) - loss_gradient(params - eps * v)) / (2.0 * eps);
  CHECK(max_abs_difference(hv[0], numeric) < 1e-7);
  CHECK_FALSE(hv[0].requires_grad());
  CHECK_FALSE(params.requires_grad());  // the inputs are left alone
}

TEST_CASE("hessian is symmetric and its product with v is hvp", "[functional][hessian]") {
  const ag::Tensor params = mlp_params();
  const ag::Tensor v = direction();
  const ag::Tensor h = fn::hessian(mlp_loss, params);
  REQUIRE(h.shape() == ag::Shape{12, 12});
  CHECK(max_abs_difference(h, h.transpose(0, 1)) < 1e-12);
  const auto hv = fn::hvp([](const auto& in) { return mlp_loss(in[0]); }, {params}, {v}).derivatives[0];
  CHECK(max_abs_difference(ag::matmul(h, v), hv) < 1e-12);
}

TEST_CASE("hessian of a quadratic form is its symmetrised matrix", "[functional][hessian]") {
  const ag::Tensor a = ag::tensor({{2.0, 1.0}, {3.0, 4.0}}, ag::kFloat64);
  const ag::Tensor x = ag::tensor({0.5, -1.0}, ag::kFloat64);
  const ag::Tensor h = fn::hessian([&](const ag::Tensor& v) { return ag::dot(v, ag::matmul(a, v)) + ag::sum(v); }, x);
  CHECK_THAT(h, HasValues({4.0, 4.0, 4.0, 8.0}));  // A + Aᵀ
}

TEST_CASE("hessian over several inputs gives every block", "[functional][hessian]") {
  const ag::Tensor x = ag::tensor({1.0, 2.0}, ag::kFloat64);
  const ag::Tensor y = ag::scalar(3.0, ag::kFloat64);
  const auto h = fn::hessian([](const auto& in) { return ag::sum(in[0] * in[0]) * in[1]; }, {x, y});
  CHECK_THAT(h[0][0], HasValues({6.0, 0.0, 0.0, 6.0}));  // 2y I
  CHECK(h[0][1].shape() == ag::Shape{2});
  CHECK_THAT(h[0][1], HasValues({2.0, 4.0}));  // 2x
  CHECK_THAT(h[1][0], HasValues({2.0, 4.0}));
  CHECK_THAT(h[1][1], HasValues({0.0}));
}

TEST_CASE("jacobian has the output's shape followed by the input's", "[functional][jacobian]") {
  const ag::Tensor a = ag::tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}}, ag::kFloat64);
  const ag::Tensor x = ag::tensor({0.5, -1.0, 2.0}, ag::kFloat64);
  const ag::Tensor j = fn::jacobian([&](const ag::Tensor& v) { return ag::matmul(a, v); }, x);
  REQUIRE(j.shape() == ag::Shape{2, 3});
  CHECK_THAT(j, HasValues({1, 2, 3, 4, 5, 6}));

  const ag::Tensor m = ag::tensor({{1.0, 2.0}, {3.0, 4.0}}, ag::kFloat64);
  const ag::Tensor jm = fn::jacobian([](const ag::Tensor& v) { return v * v; }, m);
  REQUIRE(jm.shape() == ag::Shape{2, 2, 2, 2});
  CHECK(jm.to_vector()[0] == 2.0);   // d(m00²)/d m00
  CHECK(jm.to_vector()[15] == 8.0);  // d(m11²)/d m11
  CHECK(ag::sum(jm).item() == 20.0);
}

TEST_CASE("jvp equals the jacobian times v, and vjp v times the jacobian", "[functional][jvp][vjp]") {
  const auto f = [](const std::vector<ag::Tensor>& in) { return ag::exp(in[0]) * ag::sum(in[0] * in[1]); };
  const ag::Tensor x = ag::tensor({0.2, -0.5, 1.0}, ag::kFloat64);
  const ag::Tensor w = ag::tensor({1.5, 0.5, -2.0}, ag::kFloat64);
  const ag::Tensor vx = ag::tensor({1.0, 0.0, -1.0}, ag::kFloat64);
  const ag::Tensor vw = ag::tensor({0.5, 2.0, 0.25}, ag::kFloat64);
  const std::vector<ag::Tensor> jac = fn::jacobian(f, {x, w});

  const auto [output, jv] = fn::jvp(f, {x, w}, {vx, vw});
  CHECK(max_abs_difference(output, f({x, w})) < 1e-15);
  const ag::Tensor expected_jv = ag::matmul(jac[0], vx) + ag::matmul(jac[1], vw);
  CHECK(max_abs_difference(jv[0], expected_jv) < 1e-12);

  const ag::Tensor u = ag::tensor({1.0, -1.0, 0.5}, ag::kFloat64);
  const auto vj = fn::vjp(f, {x, w}, u).derivatives;
  CHECK(max_abs_difference(vj[0], ag::matmul(u, jac[0])) < 1e-12);
  CHECK(max_abs_difference(vj[1], ag::matmul(u, jac[1])) < 1e-12);
}

TEST_CASE("an input the function ignores gets zeros, or an error when strict", "[functional][errors]") {
  const auto f = [](const std::vector<ag::Tensor>& in) { return ag::sum(in[0] * in[0]); };
  const ag::Tensor x = ag::tensor({1.0, 2.0}, ag::kFloat64);
  const ag::Tensor unused = ag::tensor({3.0}, ag::kFloat64);
  CHECK_THAT(fn::vjp(f, {x, unused}).derivatives[1], HasValues({0.0}));
  CHECK_THAT(fn::jacobian(f, {x, unused})[1], HasValues({0.0}));
  CHECK_THROWS_WITH(fn::vjp(f, {x, unused}, ag::Tensor(), {.strict = true}),
                    Contains("vjp: the output does not depend on input 1 (strict mode)"));
  // A constant function has a zero derivative, not an error.
  CHECK_THAT(fn::jacobian([](const ag::Tensor&) { return ag::ones({2}, ag::kFloat64); }, x), HasValues({0, 0, 0, 0}));
}

TEST_CASE("functional calls check their arguments", "[functional][errors]") {
  const ag::Tensor x = ag::tensor({1.0, 2.0}, ag::kFloat64);
  const auto square = [](const std::vector<ag::Tensor>& in) { return in[0] * in[0]; };
  CHECK_THROWS_WITH(fn::hvp(square, {x}, {x}), Contains("hvp: the function must return a single element, but it "
                                                        "returned shape [2]"));
  CHECK_THROWS_WITH(fn::hessian(square, {x}), Contains("hessian: the function must return a single element"));
  CHECK_THROWS_WITH(fn::vjp(square, {x}), Contains("vjp (without v): the function must return a single element"));
  CHECK_THROWS_WITH(fn::vjp(square, {x}, ag::ones({3}, ag::kFloat64)),
                    Contains("vjp: v has shape [3] and dtype float64, but the output has shape [2]"));
  CHECK_THROWS_WITH(fn::jvp(square, {x}, {ag::ones({3}, ag::kFloat64)}),
                    Contains("jvp: v[0] must have input 0's shape [2] and dtype float64"));
  CHECK_THROWS_WITH(fn::jvp(square, {x}, {}), Contains("jvp: 0 tensors given in v for 1 inputs"));
  CHECK_THROWS_WITH(fn::jacobian(square, {ag::tensor({1, 2}, ag::kInt64)}),
                    Contains("jacobian: input 0 is int64; only float32 and float64 inputs can be differentiated"));
}

TEST_CASE("with create_graph the results can be differentiated again", "[functional][higher_order]") {
  // d/dx of the Hessian diagonal of sum(x^4) = 12 x^2 is 24 x.
  const ag::Tensor x = ag::tensor({1.0, -2.0}, ag::kFloat64).requires_grad_();
  const ag::Tensor h =
      fn::hessian([](const ag::Tensor& v) { return ag::sum(v * v * v * v); }, x, {.create_graph = true});
  REQUIRE(h.requires_grad());
  const ag::Tensor d = ag::grad({ag::sum(h)}, {x})[0];
  CHECK_THAT(d, HasValues({24.0, -48.0}));
}

TEST_CASE("functional works under NoGradGuard", "[functional]") {
  ag::NoGradGuard no_grad;
  const ag::Tensor x = ag::tensor({1.0, 2.0}, ag::kFloat64);
  CHECK_THAT(fn::jacobian([](const ag::Tensor& v) { return v * v; }, x), HasValues({2, 0, 0, 4}));
}

// Newton's method on L2-regularised logistic regression: x ← x − H⁻¹ g with ag::functional::hessian. The loss is
// strictly convex, so from zero it converges quadratically: the gradient's norm squares (roughly) at every step.
TEST_CASE("Newton's method with hessian converges quadratically on logistic regression", "[functional][newton]") {
  const ag::Tensor features =
      ag::tensor({{1.0, -2.0}, {1.0, -1.0}, {1.0, 0.5}, {1.0, 1.0}, {1.0, 2.0}, {1.0, -0.5}}, ag::kFloat64);
  const ag::Tensor labels = ag::tensor({0.0, 0.0, 1.0, 0.0, 1.0, 1.0}, ag::kFloat64);
  const auto loss = [&](const ag::Tensor& w) {
    const ag::Tensor z = ag::matmul(features, w);
    return ag::mean(ag::softplus(z) - labels * z) + 0.05 * ag::sum(w * w);
  };

  ag::Tensor w = ag::zeros({2}, ag::kFloat64);
  std::vector<double> gradient_norms;
  for (int step = 0; step < 6; ++step) {
    const auto [value, g] = fn::vjp([&](const auto& in) { return loss(in[0]); }, {w});
    gradient_norms.push_back(std::sqrt(ag::sum(g[0] * g[0]).item()));
    const std::vector<double> h = fn::hessian(loss, w).to_vector();
    const std::vector<double> gv = g[0].to_vector();
    // Solve the 2x2 system H d = g by Cramer's rule.
    const double det = h[0] * h[3] - h[1] * h[2];
    REQUIRE(det > 0.0);
    const ag::Tensor step_d =
        ag::tensor({(h[3] * gv[0] - h[1] * gv[1]) / det, (h[0] * gv[1] - h[2] * gv[0]) / det}, ag::kFloat64);
    w = w - step_d;
  }
  INFO("gradient norms: " << gradient_norms[0] << " " << gradient_norms[1] << " " << gradient_norms[2] << " "
                          << gradient_norms[3] << " " << gradient_norms[4] << " " << gradient_norms[5]);
  CHECK(gradient_norms[5] < 1e-12);
  for (int k = 2; k < 5; ++k)
    if (gradient_norms[k] > 1e-10) CHECK(gradient_norms[k + 1] < 10.0 * gradient_norms[k] * gradient_norms[k]);
}
