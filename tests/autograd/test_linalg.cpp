#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"
#include "tensor_matchers.hpp"
#include "test_tensors.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

using Catch::Contains;
using Catch::StartsWith;

namespace {

// The reference product, one multiply-add at a time: a [..., m, k] · b [..., k, n] with the batch dimensions
// broadcast, and a 1-D operand read as a row (on the left) or a column (on the right), as NumPy does.
std::vector<double> naive_matmul(const ag::Tensor& a, const ag::Tensor& b) {
  ag::Shape shape_a = a.shape();
  ag::Shape shape_b = b.shape();
  if (shape_a.size() == 1) shape_a.insert(0, 1);
  if (shape_b.size() == 1) shape_b.push_back(1);
  const std::vector<double> va = a.to_vector();
  const std::vector<double> vb = b.to_vector();
  const std::int64_t m = shape_a[shape_a.size() - 2], k = shape_a.back(), n = shape_b.back();

  // Batch sizes, and each operand's step in whole matrices along them (0 where it broadcasts).
  const int batch_dims = std::max(shape_a.size(), shape_b.size()) - 2;
  std::vector<std::int64_t> sizes(batch_dims), step_a(batch_dims), step_b(batch_dims);
  std::int64_t matrices_a = 1, matrices_b = 1, batch = 1;
  for (int d = batch_dims - 1; d >= 0; --d) {
    const int da = d - (batch_dims - (shape_a.size() - 2));
    const int db = d - (batch_dims - (shape_b.size() - 2));
    const std::int64_t size_a = da >= 0 ? shape_a[da] : 1;
    const std::int64_t size_b = db >= 0 ? shape_b[db] : 1;
    sizes[d] = std::max(size_a, size_b);
    step_a[d] = size_a == 1 ? 0 : matrices_a;
    step_b[d] = size_b == 1 ? 0 : matrices_b;
    matrices_a *= size_a;
    matrices_b *= size_b;
    batch *= sizes[d];
  }

  std::vector<double> out;
  for (std::int64_t flat = 0; flat < batch; ++flat) {
    std::int64_t rest = flat, matrix_a = 0, matrix_b = 0;
    for (int d = batch_dims - 1; d >= 0; --d) {
      matrix_a += rest % sizes[d] * step_a[d];
      matrix_b += rest % sizes[d] * step_b[d];
      rest /= sizes[d];
    }
    for (std::int64_t i = 0; i < m; ++i)
      for (std::int64_t j = 0; j < n; ++j) {
        double total = 0.0;
        for (std::int64_t p = 0; p < k; ++p) total += va[(matrix_a * m + i) * k + p] * vb[(matrix_b * k + p) * n + j];
        out.push_back(total);
      }
  }
  return out;
}

struct Product {
  ag::Shape a, b, result;
};

// Every layout matmul accepts: vectors on either side, matrices, batches, broadcast batches, and mixes of them.
const std::vector<Product> kProducts = {{{4}, {4}, {}},
                                        {{3}, {3, 5}, {5}},
                                        {{4, 3}, {3}, {4}},
                                        {{4, 3}, {3, 5}, {4, 5}},
                                        {{1, 1}, {1, 1}, {1, 1}},
                                        {{2, 4, 3}, {2, 3, 5}, {2, 4, 5}},
                                        {{2, 1, 3, 4}, {5, 4, 2}, {2, 5, 3, 2}},
                                        {{2, 4, 3}, {3, 5}, {2, 4, 5}},
                                        {{4, 3}, {2, 3, 5}, {2, 4, 5}},
                                        {{3}, {2, 3, 5}, {2, 5}},
                                        {{2, 4, 3}, {3}, {2, 4}},
                                        {{1, 4, 3}, {2, 3, 5}, {2, 4, 5}}};

std::string describe(const Product& p) { return fmt::format("{} x {}", p.a, p.b); }

}  // namespace

TEST_CASE("dot multiplies two vectors into a 0-d tensor", "[ops][linalg]") {
  const auto product = ag::dot(ag::tensor({1, 2, 3}), ag::tensor({4, 5, -6}));
  CHECK(product.shape() == ag::Shape{});
  CHECK(product.item() == -4.0);
  CHECK(ag::tensor({2}, ag::kFloat64).dot(ag::tensor({3}, ag::kFloat64)).item() == 6.0);
}

TEST_CASE("dot passes gradcheck and gradgradcheck, also with one vector on both sides", "[ops][linalg]") {
  ag::manual_seed(20);
  check_gradients_twice([](const auto& in) { return ag::dot(in[0], in[1]); }, {normal({5}), normal({5})});
  check_gradients_twice([](const auto& in) { return ag::dot(in[0], in[0]); }, {normal({5})});

  auto x = ag::tensor({1, -2, 3}, ag::requires_grad());
  ag::dot(x, x).backward();
  CHECK_THAT(x.grad(), HasValues({2, -4, 6}));
}

TEST_CASE("matmul follows NumPy's rules for vectors, matrices and broadcast batches", "[ops][linalg]") {
  ag::manual_seed(21);
  for (const Product& p : kProducts) {
    INFO(describe(p));
    const auto a = normal(p.a);
    const auto b = normal(p.b);
    const auto product = ag::matmul(a, b);
    CHECK(product.shape() == p.result);
    CHECK(product.dtype() == ag::kFloat64);
    CHECK_THAT(product, HasValues(naive_matmul(a, b)));

    const auto single = a.to(ag::kFloat32).matmul(b.to(ag::kFloat32));
    CHECK(single.dtype() == ag::kFloat32);
    CHECK_THAT(single, HasValues(naive_matmul(a, b), 1e-5));
  }
}

TEST_CASE("matmul of large matrices matches the reference", "[ops][linalg]") {
  ag::manual_seed(22);
  const auto a = normal({64, 70});
  const auto b = normal({70, 33});
  CHECK_THAT(ag::matmul(a, b), HasValues(naive_matmul(a, b)));
}

TEST_CASE("matmul passes gradcheck and gradgradcheck for every operand layout", "[ops][linalg]") {
  ag::manual_seed(23);
  for (const Product& p : kProducts) {
    INFO(describe(p));
    check_gradients_twice([](const auto& in) { return ag::matmul(in[0], in[1]); }, {normal(p.a), normal(p.b)});
  }
}

TEST_CASE("matmul accumulates gradients when one operand is on both sides", "[ops][linalg]") {
  ag::manual_seed(24);
  check_gradients_twice([](const auto& in) { return ag::matmul(in[0], in[0]); }, {normal({3, 3})});
  check_gradients_twice([](const auto& in) { return ag::matmul(in[0], in[0].transpose(-1, -2)); }, {normal({2, 3, 4})});

  auto x = ag::tensor({{1, 2}, {3, 4}}, ag::requires_grad());
  ag::sum(ag::matmul(x, x)).backward();  // d/dx sum(x x) = 1 xᵀ + xᵀ 1 with 1 all ones
  CHECK_THAT(x.grad(), HasValues({7, 11, 9, 13}));
}

TEST_CASE("matmul names both shapes when the inner dimensions differ", "[ops][linalg][errors]") {
  CHECK_THROWS_WITH(ag::matmul(ag::zeros({2, 3}), ag::zeros({4, 5})),
                    "matmul: shapes [2, 3] and [4, 5] cannot be multiplied (3 != 4)");
  CHECK_THROWS_WITH(ag::matmul(ag::zeros({3}), ag::zeros({4, 5})),
                    "matmul: shapes [3] and [4, 5] cannot be multiplied (3 != 4)");
  CHECK_THROWS_WITH(ag::matmul(ag::zeros({2, 3}), ag::zeros({4})),
                    "matmul: shapes [2, 3] and [4] cannot be multiplied (3 != 4)");
  CHECK_THROWS_WITH(ag::matmul(ag::zeros({3}), ag::zeros({4})),
                    "matmul: shapes [3] and [4] cannot be multiplied (3 != 4)");
  CHECK_THROWS_WITH(ag::matmul(ag::zeros({2, 2, 3}), ag::zeros({2, 4, 5})),
                    "matmul: shapes [2, 2, 3] and [2, 4, 5] cannot be multiplied (3 != 4)");
}

TEST_CASE("matmul refuses 0-d operands, batches that do not broadcast and mixed dtypes", "[ops][linalg][errors]") {
  CHECK_THROWS_WITH(ag::matmul(ag::scalar(2.0), ag::zeros({2})),
                    StartsWith("matmul:") && Contains("at least 1 dimension") && Contains("[2]"));
  CHECK_THROWS_WITH(ag::matmul(ag::zeros({2, 3, 4}), ag::zeros({3, 4, 5})),
                    StartsWith("matmul:") && Contains("broadcast"));
  CHECK_THROWS_WITH(ag::matmul(ag::zeros({2, 3}), ag::zeros({3, 2}, ag::kFloat64)),
                    StartsWith("matmul:") && Contains("float32") && Contains("float64"));
}

TEST_CASE("dot refuses anything but two 1-D tensors of one length and dtype", "[ops][linalg][errors]") {
  CHECK_THROWS_WITH(ag::dot(ag::zeros({2, 2}), ag::zeros({2})),
                    StartsWith("dot:") && Contains("[2, 2]") && Contains("[2]"));
  CHECK_THROWS_WITH(ag::dot(ag::zeros({3}), ag::zeros({4})), StartsWith("dot:") && Contains("[3]") && Contains("[4]"));
  CHECK_THROWS_WITH(ag::dot(ag::zeros({3}), ag::zeros({3}, ag::kFloat64)),
                    StartsWith("dot:") && Contains("float32") && Contains("float64"));
}

TEST_CASE("matmul names both full shapes when batch dimensions do not broadcast", "[ops][linalg][errors]") {
  CHECK_THROWS_WITH(ag::matmul(ag::zeros({2, 3, 4}), ag::zeros({3, 4, 5})),
                    Catch::Contains("[2, 3, 4]") && Catch::Contains("[3, 4, 5]") && Catch::Contains("(2 vs 3)"));
}

TEST_CASE("linear equals matmul with the transposed weight plus bias, and passes gradcheck and gradgradcheck",
          "[ops][linalg]") {
  ag::manual_seed(11);
  const auto w = ag::randn({4, 3}, ag::kFloat64);
  const auto b = ag::randn({4}, ag::kFloat64);
  for (const ag::Shape& shape : {ag::Shape{3}, ag::Shape{5, 3}, ag::Shape{2, 5, 3}}) {
    const auto x = ag::randn(shape, ag::kFloat64);
    const auto expected = ag::matmul(x, w.t()) + b;
    const auto actual = ag::linear(x, w, b);
    REQUIRE(actual.shape() == expected.shape());
    for (std::int64_t i = 0; i < actual.numel(); ++i)
      CHECK(actual.to_vector()[i] == Approx(expected.to_vector()[i]).epsilon(1e-12));
    check_gradients_twice([](const auto& in) { return ag::linear(in[0], in[1], in[2]); }, {x, w, b});
    check_gradients_twice([](const auto& in) { return ag::linear(in[0], in[1]); }, {x, w});
  }
  CHECK_THROWS_WITH(ag::linear(ag::zeros({2, 5}), ag::zeros({4, 3})),
                    Catch::Contains("linear") && Catch::Contains("[2, 5]") && Catch::Contains("[4, 3]"));
  CHECK_THROWS_WITH(ag::linear(ag::zeros({2, 3}), ag::zeros({4, 3}), ag::zeros({3})), Catch::Contains("bias"));
}

TEST_CASE("an inner size of 0 gives zeros from matmul and the bias from linear, with gradients", "[ops][linalg]") {
  const auto tracked = ag::dtype(ag::kFloat64).requires_grad(true);
  SECTION("matmul") {
    auto a = ag::zeros({2, 0}, tracked);
    auto b = ag::zeros({0, 3}, tracked);
    const auto product = ag::matmul(a, b);
    REQUIRE(product.shape() == ag::Shape{2, 3});
    CHECK_THAT(product, HasValues({0, 0, 0, 0, 0, 0}));
    ag::sum(product).backward();
    CHECK(a.grad().shape() == ag::Shape{2, 0});
    CHECK(b.grad().shape() == ag::Shape{0, 3});
    CHECK_THAT(ag::matmul(ag::zeros({4, 2, 0}), ag::zeros({4, 0, 3})), HasValues(std::vector<double>(24, 0.0)));
  }
  SECTION("linear") {
    auto x = ag::zeros({2, 2, 0}, tracked);
    auto weight = ag::zeros({3, 0}, tracked);
    auto bias = ag::tensor({1, 2, 3}, tracked);
    const auto y = ag::linear(x, weight, bias);
    REQUIRE(y.shape() == ag::Shape{2, 2, 3});
    CHECK_THAT(y, HasValues({1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3}));
    ag::sum(y * y).backward();
    CHECK_THAT(bias.grad(), HasValues({8, 16, 24}));
    CHECK(weight.grad().shape() == ag::Shape{3, 0});
    CHECK(x.grad().shape() == ag::Shape{2, 2, 0});
    CHECK_THAT(ag::linear(ag::zeros({2, 0}, ag::kFloat64), ag::zeros({3, 0}, ag::kFloat64)),
               HasValues({0, 0, 0, 0, 0, 0}));
    check_gradients_twice([](const auto& in) { return ag::linear(in[0], in[1], in[2]); },
                          {ag::zeros({2, 0}, ag::kFloat64), ag::zeros({3, 0}, ag::kFloat64), normal({3})});
  }
}
