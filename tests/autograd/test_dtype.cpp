#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"
#include "tensor_matchers.hpp"
#include "test_tensors.hpp"

#include <cstdint>
#include <string>

using Catch::Contains;
using Catch::StartsWith;

// Every dtype of ag::kAllDTypes goes through every op that takes any dtype. A dtype added to the enum without a
// case in some dispatch fails here (and at compile time, where -Wswitch names the switch), never silently.
TEST_CASE("every dtype goes through creation, conversion, printing and the dtype-generic ops", "[dtype]") {
  for (const ag::DType dtype : ag::kAllDTypes) {
    const std::string name(ag::dtype_name(dtype));
    INFO(name);
    const auto x = ag::tensor({{1, 0, 1}, {0, 1, 1}}, dtype);
    CHECK(x.dtype() == dtype);
    CHECK(ag::dtype_size(dtype) > 0);
    CHECK_THAT(x, HasValues({1, 0, 1, 0, 1, 1}));
    CHECK(x[0][0].item<double>() == 1.0);
    CHECK(x.to_vector<std::int64_t>() == std::vector<std::int64_t>{1, 0, 1, 0, 1, 1});
    CHECK_THAT(ag::to_string(x), Contains("dtype=" + name));
    for (const ag::DType other : ag::kAllDTypes) CHECK(x.to(other).to(dtype).to_vector() == x.to_vector());
    CHECK_THAT(x.clone(), HasValues(x.to_vector()));
    CHECK_THAT(ag::zeros({2}, dtype), HasValues({0, 0}));
    CHECK_THAT(ag::ones({2}, dtype), HasValues({1, 1}));
    CHECK_THAT(ag::full({2}, 1, dtype), HasValues({1, 1}));
    CHECK_THAT(ag::zeros_like(x), HasValues({0, 0, 0, 0, 0, 0}));
    CHECK(ag::from_vector(std::vector<double>{1, 0}, {2}, dtype).dtype() == dtype);

    // Shape and indexing ops move elements of any dtype.
    CHECK_THAT(x.reshape({3, 2}), HasValues({1, 0, 1, 0, 1, 1}));
    CHECK_THAT(x.t(), HasValues({1, 0, 0, 1, 1, 1}));
    CHECK_THAT(x.permute({1, 0}), HasValues({1, 0, 0, 1, 1, 1}));
    CHECK_THAT(x.unsqueeze(0).squeeze(), HasValues(x.to_vector()));
    CHECK_THAT(x[1].expand({2, 3}), HasValues({0, 1, 1, 0, 1, 1}));
    CHECK_THAT(ag::cat({x, x}, 1).slice(1, 2, 4), HasValues({1, 1, 1, 0}));
    CHECK_THAT(ag::stack({x[0], x[1]}), HasValues(x.to_vector()));
    CHECK_THAT(x.slice(1, 0, 3, 2), HasValues({1, 1, 0, 1}));
    CHECK_THAT(x.narrow(0, 1, 1), HasValues({0, 1, 1}));
    const auto rows = ag::tensor({1, 0}, ag::kInt64);
    CHECK_THAT(x.index_select(0, rows), HasValues({0, 1, 1, 1, 0, 1}));
    CHECK_THAT(x.gather(1, ag::tensor({{2}, {0}}, ag::kInt64)), HasValues({1, 0}));
    CHECK_THAT(ag::where(x == ag::ones({1}, dtype), x, ag::zeros({1}, dtype)), HasValues(x.to_vector()));
    CHECK_THAT(x.masked_fill(ag::tensor({1, 0, 0}, ag::kBool), 0), HasValues({0, 0, 1, 0, 1, 1}));
    CHECK_THAT(ag::ne(x, x), HasValues({0, 0, 0, 0, 0, 0}));
    CHECK(ag::argmax(x).item<std::int64_t>() == 0);
    CHECK(ag::max(x).item() == 1.0);

    // In-place updates outside the graph.
    auto y = x.clone();
    y.fill_(0);
    y.copy_(x);
    CHECK_THAT(y, HasValues(x.to_vector()));

    // Ops that need numbers refuse bool, and floating-point ops refuse integers, by name.
    if (!ag::is_floating_point(dtype)) {
      CHECK_THROWS_WITH(ag::exp(x),
                        "exp: not supported for dtype " + name + " (expected float32 or float64); convert with .to()");
      CHECK_THROWS_WITH(ag::matmul(x, x.t()), StartsWith("matmul: not supported for dtype " + name));
      CHECK_THROWS_WITH(ag::zeros({2}, ag::dtype(dtype).requires_grad(true)),
                        "requires_grad: only floating-point tensors can require gradients, got dtype " + name +
                            " (convert with .to(ag::kFloat32))");
      CHECK_THROWS_WITH(x.detach().requires_grad_(), StartsWith("requires_grad_: only floating-point tensors"));
    }
  }
}

TEST_CASE("int64 tensors keep integers above 2^53 exactly", "[dtype]") {
  const auto x = ag::full({2}, 16777217.0, ag::kInt64);
  CHECK(x[1].item<std::int64_t>() == 16777217);
  const auto big = ag::full({1}, 4503599627370496.0, ag::kInt64) * 2 + 1;
  CHECK(big.to_vector<std::int64_t>() == std::vector<std::int64_t>{9007199254740993});
  CHECK(ag::to_string(ag::tensor({3, -4}, ag::kInt64)) == "tensor([3, -4], shape=[2], dtype=int64)");
}

TEST_CASE("converting to an integer dtype truncates and cuts the graph, as in PyTorch", "[dtype]") {
  auto x = ag::tensor({1.7, -1.7, 0.0}, ag::requires_grad());
  const auto i = x.to(ag::kInt64);
  CHECK_THAT(i, HasValues({1, -1, 0}));
  CHECK_FALSE(i.requires_grad());
  CHECK_THAT(x.to(ag::kBool), HasValues({1, 1, 0}));
  CHECK_THROWS_WITH(ag::set_default_dtype(ag::kInt64),
                    "set_default_dtype: the default dtype must be float32 or float64, got int64");
}

TEST_CASE("clone and conversion between float dtypes pass gradcheck and gradgradcheck", "[dtype][gradcheck]") {
  ag::manual_seed(11);
  check_unary_gradients(ag::clone, normal);
  // Through float32 and back: the values are rounded to float32, so the finite differences take larger steps.
  const auto through_float32 = [](const std::vector<ag::Tensor>& in) {
    return in[0].to(ag::kFloat32).to(ag::kFloat64) * in[0];
  };
  const ag::GradcheckOptions coarse{.eps = 1e-2, .atol = 1e-4};
  CHECK_THAT(ag::gradcheck(through_float32, {normal({2, 3})}, coarse), PassesGradcheck());
  CHECK_THAT(ag::gradgradcheck(through_float32, {normal({2, 3})}, coarse), PassesGradcheck());
}

TEST_CASE("reductions take one dim without braces, and {} still means every dim", "[ops][reduction]") {
  const auto x = ag::tensor({{1, 2}, {3, 4}});
  CHECK_THAT(x.sum(1), HasValues({3, 7}));
  CHECK_THAT(ag::sum(x, 0), HasValues({4, 6}));
  CHECK(x.mean(0, /*keepdim=*/true).shape() == ag::Shape{1, 2});
  CHECK_THAT(x.sum({}), HasValues({10}));
  CHECK(ag::mean(x, {}).shape() == ag::Shape{});
}
