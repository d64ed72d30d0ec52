// The float32 and float64 matrix products on each of their kernels (a plain loop for the tiniest, OpenBLAS for small
// ones, oneDNN for larger float32 ones: see autograd/src/kernels.hpp), checked against a float64 product computed one
// multiply-add at a time, forward and backward, plain, transposed (as the backwards run them), batched, with linear's
// fused bias, and with empty dimensions.

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "tensor_matchers.hpp"

#include <cmath>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Dims {
  std::int64_t m, k, n;
};

// Products on each kernel: m·k·n up to 128 runs in the loop, up to 16384 on OpenBLAS, and above on oneDNN (float32);
// the last are the MLP's products at batch 64, and odd sizes that fill no vector register evenly.
const std::vector<Dims> kProducts = {{1, 1, 1},    {2, 3, 4},    {4, 4, 8},     {5, 4, 8},      {16, 16, 16},
                                     {20, 30, 25}, {30, 30, 30}, {37, 65, 129}, {64, 784, 256}, {64, 128, 10}};

// out = op(a) · op(b) in float64 from the values as given, with each entry's bound on the float32 rounding error:
// (k + 2) units of float32 rounding times the sum of |a_ip·b_pj| (the error of any summation order).
struct Reference {
  std::vector<double> values, bounds;
};

Reference reference_product(const std::vector<double>& a, bool transpose_a, const std::vector<double>& b,
                            bool transpose_b, const Dims& d) {
  Reference out{std::vector<double>(d.m * d.n, 0.0), std::vector<double>(d.m * d.n, 0.0)};
  const double unit = std::ldexp(1.0, -24) * static_cast<double>(d.k + 2);
  for (std::int64_t i = 0; i < d.m; ++i)
    for (std::int64_t j = 0; j < d.n; ++j) {
      double sum = 0, magnitude = 0;
      for (std::int64_t p = 0; p < d.k; ++p) {
        const double term = a[transpose_a ? p * d.m + i : i * d.k + p] * b[transpose_b ? j * d.k + p : p * d.n + j];
        sum += term;
        magnitude += std::abs(term);
      }
      out.values[i * d.n + j] = sum;
      out.bounds[i * d.n + j] = unit * magnitude + 1e-30;
    }
  return out;
}

// Checks `actual` against the reference entry by entry; float64 products get a bound 2^29 times tighter.
void check_product(const ag::Tensor& actual, const Reference& expected) {
  REQUIRE(actual.numel() == static_cast<std::int64_t>(expected.values.size()));
  const double scale = actual.dtype() == ag::kFloat64 ? std::ldexp(1.0, -29) : 1.0;
  const std::vector<double> values = actual.to_vector();
  std::int64_t wrong = 0;
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!(std::abs(values[i] - expected.values[i]) <= expected.bounds[i] * scale + 1e-300)) {
      if (wrong++ == 0)
        FAIL_CHECK("entry " << i << ": " << values[i] << " but the reference is " << expected.values[i] << " +- "
                            << expected.bounds[i] * scale);
    }
  CHECK(wrong == 0);
}

std::string describe(const Dims& d, ag::DType dtype) {
  return fmt::format("[{}, {}] x [{}, {}] in {}", d.m, d.k, d.k, d.n, ag::dtype_name(dtype));
}

}  // namespace

TEST_CASE("matmul and both its gradients match the float64 reference on every kernel", "[ops][linalg][dense]") {
  ag::manual_seed(3);
  for (const ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
    for (const Dims& d : kProducts) {
      INFO(describe(d, dtype));
      auto a = ag::randn({d.m, d.k}, ag::dtype(dtype).requires_grad(true));
      auto b = ag::randn({d.k, d.n}, ag::dtype(dtype).requires_grad(true));
      const ag::Tensor weights = ag::randn({d.m, d.n}, dtype);
      const ag::Tensor product = ag::matmul(a, b);
      check_product(product, reference_product(a.to_vector(), false, b.to_vector(), false, d));
      // d a = w · bᵀ and d b = aᵀ · w: the backward's transposed products.
      ag::sum(product * weights).backward();
      check_product(a.grad(), reference_product(weights.to_vector(), false, b.to_vector(), true, {d.m, d.n, d.k}));
      check_product(b.grad(), reference_product(a.to_vector(), true, weights.to_vector(), false, {d.k, d.m, d.n}));
    }
  }
}

TEST_CASE("linear with its bias added by the product matches the float64 reference, forward and backward",
          "[ops][linalg][dense]") {
  ag::manual_seed(4);
  for (const ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
    for (const Dims& d : kProducts) {
      INFO(describe(d, dtype));
      auto x = ag::randn({d.m, d.k}, ag::dtype(dtype).requires_grad(true));
      auto weight = ag::randn({d.n, d.k}, ag::dtype(dtype).requires_grad(true));
      auto bias = ag::randn({d.n}, ag::dtype(dtype).requires_grad(true));
      const ag::Tensor weights = ag::randn({d.m, d.n}, dtype);
      const ag::Tensor y = ag::linear(x, weight, bias);
      Reference expected = reference_product(x.to_vector(), false, weight.to_vector(), true, d);
      const std::vector<double> bias_values = bias.to_vector();
      for (std::int64_t i = 0; i < d.m * d.n; ++i) {
        expected.values[i] += bias_values[i % d.n];
        expected.bounds[i] += std::ldexp(std::abs(bias_values[i % d.n]), -23);
      }
      check_product(y, expected);
      check_product(ag::linear(x, weight), reference_product(x.to_vector(), false, weight.to_vector(), true, d));
      // d x = g · W, d W = gᵀ · x, d bias = g summed over the rows.
      ag::sum(y * weights).backward();
      check_product(x.grad(),
                    reference_product(weights.to_vector(), false, weight.to_vector(), false, {d.m, d.n, d.k}));
      check_product(weight.grad(), reference_product(weights.to_vector(), true, x.to_vector(), false, {d.n, d.m, d.k}));
      check_product(bias.grad(),
                    reference_product(std::vector<double>(d.m, 1.0), false, weights.to_vector(), false, {1, d.m, d.n}));
    }
  }
}

TEST_CASE("batched and broadcast float32 products match the float64 reference matrix by matrix",
          "[ops][linalg][dense]") {
  ag::manual_seed(5);
  const Dims d{33, 40, 24};  // on oneDNN
  auto a = ag::randn({2, 1, d.m, d.k}, ag::requires_grad(true));
  auto b = ag::randn({3, d.k, d.n}, ag::requires_grad(true));
  const ag::Tensor product = ag::matmul(a, b);
  REQUIRE(product.shape() == ag::Shape{2, 3, d.m, d.n});
  const ag::Tensor weights = ag::randn(product.shape());
  ag::sum(product * weights).backward();
  for (std::int64_t i = 0; i < 2; ++i) {
    std::vector<double> grad_a(d.m * d.k, 0.0);
    for (std::int64_t j = 0; j < 3; ++j) {
      INFO("matrix [" << i << ", " << j << "]");
      const ag::Tensor ai = a[i][0].detach(), bj = b[j].detach(), wij = weights[i][j];
      check_product(product[i][j], reference_product(ai.to_vector(), false, bj.to_vector(), false, d));
      const Reference part = reference_product(wij.to_vector(), false, bj.to_vector(), true, {d.m, d.n, d.k});
      for (std::size_t e = 0; e < grad_a.size(); ++e) grad_a[e] += part.values[e];
    }
    // a[i] is broadcast over the 3 matrices of b: its gradient sums theirs.
    const std::vector<double> actual = a.grad()[i][0].to_vector();
    for (std::size_t e = 0; e < grad_a.size(); ++e) CHECK(actual[e] == Approx(grad_a[e]).epsilon(1e-4).margin(1e-4));
  }
}

TEST_CASE("float32 products with an empty dimension give empty results, zeros or the bias", "[ops][linalg][dense]") {
  CHECK(ag::matmul(ag::ones({0, 784}), ag::ones({784, 256})).shape() == ag::Shape{0, 256});
  CHECK(ag::matmul(ag::ones({64, 784}), ag::ones({784, 0})).shape() == ag::Shape{64, 0});
  CHECK_THAT(ag::matmul(ag::ones({64, 0}), ag::ones({0, 256})), HasValues(std::vector<double>(64 * 256, 0.0)));
  const ag::Tensor bias = ag::arange(256.0).to(ag::kFloat32);
  const ag::Tensor y = ag::linear(ag::ones({64, 0}), ag::ones({256, 0}), bias);
  REQUIRE(y.shape() == ag::Shape{64, 256});
  CHECK_THAT(y[63], HasValues(bias.to_vector()));
  CHECK(ag::linear(ag::ones({0, 784}), ag::ones({256, 784}), bias).shape() == ag::Shape{0, 256});
}

TEST_CASE("products give the same values on more threads and on another thread after set_num_threads",
          "[ops][linalg][dense][threads]") {
  ag::manual_seed(6);
  const int before = ag::get_num_threads();
  const ag::Tensor a = ag::randn({128, 300});
  const ag::Tensor b = ag::randn({300, 200});
  const Reference expected = reference_product(a.to_vector(), false, b.to_vector(), false, {128, 300, 200});
  ag::set_num_threads(2);
  CHECK(ag::get_num_threads() == 2);
  check_product(ag::matmul(a, b), expected);
  ag::Tensor on_other_thread;
  std::thread([&] { on_other_thread = ag::matmul(a, b); }).join();
  check_product(on_other_thread, expected);
  ag::set_num_threads(1);
  check_product(ag::matmul(a, b), expected);
  ag::set_num_threads(before);
}
