// Where a weight's gradient is already summing (a weight used twice, or gradients kept over steps), matmul's and
// linear's backwards add their product into it by the GEMM (beta = 1) instead of through add_grad. The sum then
// adds in another order, so the gradients match the separate products summed to rounding, not bitwise.

#include "../support/gradcheck_matcher.hpp"

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include <functional>
#include <vector>

namespace {

using Inputs = std::vector<ag::Tensor>;
using Product = std::function<ag::Tensor(const ag::Tensor& input, const ag::Tensor& weight)>;

ag::Tensor leaf(const ag::Shape& shape, ag::DType dtype) {
  ag::Tensor t = ag::randn(shape, dtype);
  t.requires_grad_(true);
  return t;
}

double tolerance(ag::DType dtype) { return dtype == ag::kFloat32 ? 1e-6 : 1e-12; }

// |a - b| <= tolerance * max|b|, elementwise: the relative error of a sum whose terms were added in another order.
void check_close(const ag::Tensor& a, const ag::Tensor& b, double tolerance) {
  REQUIRE(a.shape() == b.shape());
  const std::vector<double> va = a.to_vector<double>();
  const std::vector<double> vb = b.to_vector<double>();
  double scale = 0.0;
  for (double v : vb) scale = std::max(scale, std::abs(v));
  for (std::size_t i = 0; i < va.size(); ++i) {
    INFO("element " << i << ": " << va[i] << " vs " << vb[i]);
    CHECK(std::abs(va[i] - vb[i]) <= tolerance * scale);
  }
}

// The gradient of sum(product(input, weight) * g) for the weight alone, from a graph of its own (add_grad's path).
ag::Tensor weight_gradient(const Product& product, const ag::Tensor& input, const ag::Tensor& weight,
                           const ag::Tensor& g) {
  ag::Tensor w = weight.detach().clone();
  w.requires_grad_(true);
  (product(input.detach(), w) * g).sum().backward();
  return w.grad();
}

const Product kMatmul = [](const ag::Tensor& x, const ag::Tensor& w) { return ag::matmul(x, w); };
const Product kLinear = [](const ag::Tensor& x, const ag::Tensor& w) { return ag::linear(x, w); };
const Product kLinearWithBias = [](const ag::Tensor& x, const ag::Tensor& w) {
  return ag::linear(x, w, ag::ones({w.shape()[0]}, w.dtype()));
};

struct Case {
  const char* name;
  Product product;
  ag::Shape input;
  ag::Shape weight;
};

const std::vector<Case> kCases{
    {"matmul", kMatmul, {6, 5}, {5, 7}},
    {"matmul, large", kMatmul, {64, 48}, {48, 40}},
    {"linear", kLinear, {6, 5}, {7, 5}},
    {"linear with bias, large", kLinearWithBias, {64, 48}, {40, 48}},
    {"linear of a 3-D input", kLinear, {2, 3, 5}, {7, 5}},
};

}  // namespace

TEST_CASE("a weight used twice in one graph gets the sum of both products' gradients", "[linalg][accumulation]") {
  for (ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
    for (const Case& c : kCases) {
      INFO(c.name << ", " << ag::dtype_name(dtype));
      const ag::Tensor x = ag::randn(c.input, dtype);
      const ag::Tensor y = ag::randn(c.input, dtype);
      const ag::Tensor w = leaf(c.weight, dtype);
      const ag::Tensor out = c.product(x, w);
      const ag::Tensor g = ag::randn(out.shape(), dtype);
      ((out + c.product(y, w)) * g).sum().backward();
      const ag::Tensor expected = weight_gradient(c.product, x, w, g) + weight_gradient(c.product, y, w, g);
      check_close(w.grad(), expected, tolerance(dtype));
    }
  }
}

TEST_CASE("a weight that an op computes, used twice, gets the sum of both products' gradients",
          "[linalg][accumulation]") {
  // The sum that the second product adds into is the pending gradient of exp's output, not a leaf's grad().
  for (ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
    INFO(ag::dtype_name(dtype));
    const ag::Tensor x = ag::randn({4, 3}, dtype);
    const ag::Tensor y = ag::randn({4, 3}, dtype);
    const ag::Tensor v = leaf({3, 5}, dtype);
    ag::Tensor w = v.exp();
    (ag::matmul(x, w) + ag::matmul(y, w)).sum().backward();
    ag::Tensor expected;
    {
      ag::NoGradGuard no_grad;
      const ag::Tensor ones = ag::ones({4, 5}, dtype);
      expected = (ag::matmul(x.t(), ones) + ag::matmul(y.t(), ones)) * v.exp();
    }
    check_close(v.grad(), expected, tolerance(dtype));
  }
}

TEST_CASE("gradients accumulated over two backward calls without zero_grad add up", "[linalg][accumulation]") {
  for (ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
    for (const Case& c : kCases) {
      INFO(c.name << ", " << ag::dtype_name(dtype));
      const ag::Tensor x = ag::randn(c.input, dtype);
      const ag::Tensor y = ag::randn(c.input, dtype);
      const ag::Tensor w = leaf(c.weight, dtype);
      const ag::Tensor g = ag::randn(c.product(x, w.detach()).shape(), dtype);
      (c.product(x, w) * g).sum().backward();
      (c.product(y, w) * g).sum().backward();
      const ag::Tensor expected = weight_gradient(c.product, x, w, g) + weight_gradient(c.product, y, w, g);
      check_close(w.grad(), expected, tolerance(dtype));
    }
  }
}

TEST_CASE("a gradient the caller still holds is not added into", "[linalg][accumulation]") {
  const ag::Tensor x = ag::randn({4, 3}, ag::kFloat64);
  const ag::Tensor w = leaf({3, 5}, ag::kFloat64);
  ag::matmul(x, w).sum().backward();
  const ag::Tensor first = w.grad();
  const std::vector<double> before = first.to_vector<double>();
  ag::matmul(x, w).sum().backward();
  CHECK(first.to_vector<double>() == before);
  check_close(w.grad(), first * 2.0, 1e-12);
}

TEST_CASE("products with a weight used twice pass gradcheck", "[linalg][accumulation]") {
  const ag::Tensor x = leaf({4, 3}, ag::kFloat64);
  const ag::Tensor y = leaf({4, 3}, ag::kFloat64);
  CHECK_THAT(ag::gradcheck([](const Inputs& in) { return ag::matmul(in[0], in[2]) + ag::matmul(in[1], in[2]); },
                           {x, y, leaf({3, 5}, ag::kFloat64)}),
             PassesGradcheck());
  CHECK_THAT(
      ag::gradcheck([](const Inputs& in) { return ag::linear(in[0], in[2], in[3]) * ag::linear(in[1], in[2]).tanh(); },
                    {x, y, leaf({5, 3}, ag::kFloat64), leaf({5}, ag::kFloat64)}),
      PassesGradcheck());
}
