#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"
#include "tensor_matchers.hpp"
#include "test_tensors.hpp"

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

using Catch::Contains;
using Catch::StartsWith;

namespace {

// exp(v) / sum(exp(v)) for a short list, straight from the definition.
std::vector<double> softmax_by_hand(const std::vector<double>& values) {
  double total = 0.0;
  for (double v : values) total += std::exp(v);
  std::vector<double> out;
  for (double v : values) out.push_back(std::exp(v) / total);
  return out;
}

}  // namespace

TEST_CASE("softmax and log_softmax match their definitions", "[ops][softmax]") {
  const auto x = ag::tensor({1, 2, 3}, ag::kFloat64);
  const std::vector<double> expected = softmax_by_hand({1, 2, 3});
  CHECK_THAT(ag::softmax(x, 0), HasValues(expected));
  CHECK_THAT(x.log_softmax(-1), HasValues({std::log(expected[0]), std::log(expected[1]), std::log(expected[2])}));

  const auto rows = ag::tensor({{0, 1}, {5, 5}});
  CHECK(rows.softmax(1).dtype() == ag::kFloat32);
  CHECK_THAT(rows.softmax(1), HasValues({softmax_by_hand({0, 1})[0], softmax_by_hand({0, 1})[1], 0.5, 0.5}));
  CHECK_THAT(rows.softmax(0), HasValues({softmax_by_hand({0, 5})[0], softmax_by_hand({1, 5})[0],
                                         softmax_by_hand({0, 5})[1], softmax_by_hand({1, 5})[1]}));
}

TEST_CASE("softmax sums to 1 along the chosen dim, and log_softmax is its log", "[ops][softmax]") {
  ag::manual_seed(40);
  const auto x = normal({2, 3, 4}) * 3.0;
  for (std::int64_t dim : {0, 1, 2, -1, -3}) {
    INFO("dim " << dim);
    const auto y = ag::softmax(x, dim);
    CHECK(y.shape() == x.shape());
    CHECK_THAT(ag::sum(y, {dim}), HasValues(std::vector<double>(x.numel() / x.size(dim), 1.0)));
    CHECK_THAT(ag::log_softmax(x, dim), HasValues(ag::log(y).to_vector()));
  }
}

TEST_CASE("softmax and log_softmax stay finite and exact for large inputs", "[ops][softmax]") {
  for (ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
    INFO(ag::dtype_name(dtype));
    const std::vector<double> expected = softmax_by_hand({0, 1, 2});
    CHECK_THAT(ag::softmax(ag::tensor({1000, 1001, 1002}, dtype), 0), HasValues(expected, 1e-6));
    CHECK_THAT(ag::softmax(ag::tensor({-1000, -999, -998}, dtype), 0), HasValues(expected, 1e-6));
    CHECK_THAT(ag::log_softmax(ag::tensor({1000, 0}, dtype), 0), HasValues({0, -1000}));
    CHECK_THAT(ag::log_softmax(ag::tensor({-1000, -1000}, dtype), 0), HasValues({-std::log(2.0), -std::log(2.0)}));

    auto x = ag::tensor({1000, 1001, 1002}, ag::dtype(dtype).requires_grad(true));
    ag::sum(ag::log_softmax(x, 0) * ag::tensor({1, 0, 0}, dtype)).backward();
    CHECK_THAT(x.grad(), HasValues({1 - expected[0], -expected[1], -expected[2]}, 1e-6));
  }
}

TEST_CASE("softmax gives -inf entries zero weight, as attention masks need", "[ops][softmax]") {
  CHECK_THAT(ag::softmax(ag::tensor({-INFINITY, 0, 0}), 0), HasValues({0, 0.5, 0.5}));
  CHECK_THAT(ag::log_softmax(ag::tensor({-INFINITY, 0, 0}), 0), HasValues({-INFINITY, -std::log(2.0), -std::log(2.0)}));
}

TEST_CASE("softmax and log_softmax of a 0-d tensor are 1 and 0", "[ops][softmax]") {
  CHECK(ag::softmax(ag::scalar(3.0), 0).item() == 1.0);
  CHECK(ag::log_softmax(ag::scalar(3.0), -1).item() == 0.0);
}

TEST_CASE("softmax and log_softmax pass gradcheck and gradgradcheck along every dim", "[ops][softmax]") {
  ag::manual_seed(41);
  const std::vector<std::pair<ag::Shape, std::vector<std::int64_t>>> shapes_and_dims = {
      {{5}, {0, -1}}, {{2, 3}, {0, 1, -1}}, {{2, 3, 4}, {0, 1, 2, -2}}, {{3, 1}, {1}}, {{}, {0}}};
  for (const auto& [shape, dims] : shapes_and_dims) {
    const auto x = normal(shape) * 2.0;
    for (std::int64_t dim : dims) {
      INFO("shape " << fmt::format("{}", shape) << ", dim " << dim);
      check_gradients_twice([dim](const auto& in) { return ag::softmax(in[0], dim); }, {x});
      check_gradients_twice([dim](const auto& in) { return ag::log_softmax(in[0], dim); }, {x});
    }
  }
}

TEST_CASE("softmax and log_softmax accumulate gradients when their input is reused", "[ops][softmax]") {
  ag::manual_seed(42);
  const auto f = [](const std::vector<ag::Tensor>& in) {
    const ag::Tensor& x = in[0];
    return ag::softmax(x, 1) * x + ag::log_softmax(x, 0) - ag::softmax(ag::softmax(x, -1), 0);
  };
  check_gradients_twice(f, {normal({3, 4})});
}

TEST_CASE("softmax and log_softmax refuse dims out of range", "[ops][softmax][errors]") {
  const auto x = ag::zeros({2, 3});
  CHECK_THROWS_WITH(ag::softmax(x, 2),
                    "softmax: dim 2 is out of range for a tensor with 2 dimensions (expected [-2, 1])");
  CHECK_THROWS_WITH(ag::log_softmax(x, -3), StartsWith("log_softmax:") && Contains("dim -3"));
}
