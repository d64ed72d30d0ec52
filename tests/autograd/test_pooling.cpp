#include <autograd/autograd.hpp>
#include <autograd/ops/pooling.hpp>

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"
#include "reference/conv_reference.hpp"
#include "tensor_matchers.hpp"
#include "test_tensors.hpp"

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

using Catch::Contains;

namespace {

// The reference case's pooling on its input, converted to `dtype`.
ag::Tensor run_reference_pool(const conv_reference::Case& c, ag::DType dtype) {
  const ag::Tensor x = conv_reference::wave(c.input, conv_reference::kInputPhase).to(dtype);
  const std::string op = c.op;
  const ag::ExpandingArray<2> kernel{c.kernel[0], c.kernel[1]};
  if (op == "adaptive_avg_pool2d") return ag::adaptive_avg_pool2d(x, kernel);
  const ag::ExpandingArray<2> stride{c.stride[0], c.stride[1]};
  const ag::ExpandingArray<2> padding{c.padding[0], c.padding[1]};
  if (op == "max_pool2d")
    return ag::max_pool2d(x, kernel, stride, padding, {c.dilation[0], c.dilation[1]}, c.ceil_mode);
  return ag::avg_pool2d(x, kernel, stride, padding, c.ceil_mode, c.count_include_pad);
}

}  // namespace

TEST_CASE("max_pool2d, avg_pool2d and adaptive_avg_pool2d match PyTorch on fixed inputs", "[pooling]") {
  int checked = 0;
  for (const auto& c : conv_reference::cases()) {
    const std::string op = c.op;
    if (op.find("pool") == std::string::npos) continue;
    INFO(op << ": " << c.name);
    const ag::Tensor y = run_reference_pool(c, ag::kFloat64);
    CHECK(y.shape() == ag::Shape(c.output_shape));
    CHECK_THAT(y, HasValues(c.output, 1e-12));
    const ag::Tensor y32 = run_reference_pool(c, ag::kFloat32);
    CHECK(y32.dtype() == ag::kFloat32);
    CHECK_THAT(y32, HasValues(c.output, 1e-6));
    ++checked;
  }
  CHECK(checked == 16);
}

TEST_CASE("max_pool2d without a stride uses the kernel size, as PyTorch's stride=None", "[pooling]") {
  const ag::Tensor x = counting({1, 1, 4, 4});
  CHECK_THAT(ag::max_pool2d(x, 2), HasValues({5, 7, 13, 15}));
  CHECK_THAT(ag::avg_pool2d(x, 2), HasValues({2.5, 4.5, 10.5, 12.5}));
  CHECK_THAT(ag::max_pool2d(x, {2, 4}), HasValues({7, 15}));
  // An odd size leaves the last row and column out.
  CHECK_THAT(ag::max_pool2d(counting({1, 1, 5, 5}), 2), HasValues({6, 8, 16, 18}));
}

TEST_CASE("max_pool2d sends the gradient to each window's maximum, adding where windows share one", "[pooling]") {
  // 3x3 with its maximum in the middle: the four overlapping 2x2 windows all pick it.
  const ag::Tensor x = ag::tensor({1.0, 2.0, 3.0, 4.0, 9.0, 5.0, 6.0, 7.0, 8.0}, ag::kFloat64)
                           .reshape({1, 1, 3, 3})
                           .requires_grad_(true);
  const ag::Tensor y = ag::max_pool2d(x, 2, 1);
  CHECK_THAT(y, HasValues({9, 9, 9, 9}));
  ag::sum(y).backward();
  CHECK_THAT(x.grad(), HasValues({0, 0, 0, 0, 4, 0, 0, 0, 0}));
}

TEST_CASE("max_pool2d lets NaN win its window and picks the first of equal maxima", "[pooling]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  ag::Tensor x = ag::tensor({1.0, nan, 3.0, 2.0, 5.0, 5.0, 5.0, 5.0}, ag::kFloat64).reshape({1, 2, 2, 2});
  x.requires_grad_(true);
  const ag::Tensor y = ag::max_pool2d(x, 2);
  CHECK(std::isnan(y.to_vector()[0]));
  CHECK(y.to_vector()[1] == 5.0);
  ag::sum(y).backward();
  CHECK_THAT(x.grad(), HasValues({0, 1, 0, 0, 1, 0, 0, 0}));

  // Of two NaNs the last is picked (each replaces the maximum in PyTorch's loop), by the 2x2 stride-2 kernel and by the
  // general one (stride 1 here) alike.
  ag::Tensor two_nans = ag::tensor({nan, 1.0, nan, 2.0}, ag::kFloat64).reshape({1, 1, 2, 2});
  two_nans.requires_grad_(true);
  ag::sum(ag::max_pool2d(two_nans, 2)).backward();
  CHECK_THAT(two_nans.grad(), HasValues({0, 0, 1, 0}));
  const ag::Tensor dx = ag::grad({ag::sum(ag::max_pool2d(two_nans, 2, 1))}, {two_nans})[0];
  CHECK_THAT(dx, HasValues({0, 0, 1, 0}));
}

TEST_CASE("max_pool2d passes gradcheck and gradgradcheck over stride, padding, dilation and ceil_mode",
          "[pooling][gradcheck]") {
  ag::manual_seed(11);
  // Random normal inputs have no ties, so finite differences do not cross a change of maximum.
  const std::vector<std::pair<const char*, std::function<ag::Tensor(const ag::Tensor&)>>> configs = {
      {"2x2", [](const ag::Tensor& x) { return ag::max_pool2d(x, 2); }},
      {"3x3, stride 2, padding 1", [](const ag::Tensor& x) { return ag::max_pool2d(x, 3, 2, 1); }},
      {"non-square 3x2, stride (1, 2), dilation 2",
       [](const ag::Tensor& x) {
         return ag::max_pool2d(x, {3, 2}, {1, 2}, 0, 2);
       }},
      {"ceil_mode", [](const ag::Tensor& x) { return ag::max_pool2d(x, 2, 2, 0, 1, true); }},
  };
  for (const auto& [name, pool] : configs) {
    INFO(name);
    check_gradients_twice([&](const std::vector<ag::Tensor>& in) { return pool(in[0]); }, {normal({2, 2, 7, 5})});
  }
  INFO("unbatched");
  check_gradients_twice([](const std::vector<ag::Tensor>& in) { return ag::max_pool2d(in[0], 2, 1); },
                        {normal({2, 4, 4})});
}

TEST_CASE("max_pool2d's gradient is recorded as a scatter under create_graph", "[pooling][gradcheck]") {
  const ag::Tensor x = ag::randn({1, 1, 4, 4}, ag::dtype(ag::kFloat64).requires_grad(true));
  // The incoming gradient of sum(y²) is 2y, which depends on x, so the scatter of it is recorded.
  const ag::Tensor y = ag::max_pool2d(x, 2);
  const ag::Tensor dx = ag::grad({ag::sum(y * y)}, {x}, {.create_graph = true})[0];
  REQUIRE(dx.grad_fn() != nullptr);
  const ag::Tensor y_again = ag::max_pool2d(x, 2);
  const ag::Tensor plain = ag::grad({ag::sum(y_again * y_again)}, {x})[0];
  CHECK(plain.grad_fn() == nullptr);
  CHECK_THAT(plain, HasValues(dx.to_vector()));
}

TEST_CASE("avg_pool2d and adaptive_avg_pool2d pass gradcheck and gradgradcheck", "[pooling][gradcheck]") {
  ag::manual_seed(12);
  const std::vector<std::pair<const char*, std::function<ag::Tensor(const ag::Tensor&)>>> configs = {
      {"avg 2x2", [](const ag::Tensor& x) { return ag::avg_pool2d(x, 2); }},
      {"avg 3x3, stride 2, padding 1", [](const ag::Tensor& x) { return ag::avg_pool2d(x, 3, 2, 1); }},
      {"avg padding not counted", [](const ag::Tensor& x) { return ag::avg_pool2d(x, 3, 2, 1, false, false); }},
      {"avg ceil_mode, non-square",
       [](const ag::Tensor& x) {
         return ag::avg_pool2d(x, {3, 2}, {2, 1}, 1, true);
       }},
      {"adaptive to (3, 2)",
       [](const ag::Tensor& x) {
         return ag::adaptive_avg_pool2d(x, {3, 2});
       }},
      {"adaptive to a larger (8, 6)",
       [](const ag::Tensor& x) {
         return ag::adaptive_avg_pool2d(x, {8, 6});
       }},
      {"adaptive global", [](const ag::Tensor& x) { return ag::adaptive_avg_pool2d(x, 1); }},
  };
  for (const auto& [name, pool] : configs) {
    INFO(name);
    check_gradients_twice([&](const std::vector<ag::Tensor>& in) { return pool(in[0]); }, {normal({2, 2, 7, 5})});
    INFO("input reused");
    check_gradients_twice([&](const std::vector<ag::Tensor>& in) { return pool(in[0] * in[0]); },
                          {normal({1, 2, 7, 5})});
  }
}

TEST_CASE("the poolings name the op and the shape for bad inputs", "[pooling][errors]") {
  const ag::Tensor x = ag::randn({2, 3, 6, 6});
  CHECK_THROWS_WITH(
      ag::max_pool2d(ag::randn({6, 6}), 2),
      Contains("max_pool2d: expected a 3-D (unbatched) or 4-D (batched) input") && Contains("got shape [6, 6]"));
  CHECK_THROWS_WITH(ag::avg_pool2d(ag::randn({1, 2, 3, 4, 5}), 2), Contains("avg_pool2d: expected a 3-D"));
  CHECK_THROWS_WITH(ag::max_pool2d(ag::randn({2, 0, 4, 4}), 2),
                    Contains("max_pool2d: input shape [2, 0, 4, 4] has an empty channel or spatial dimension"));
  CHECK_THROWS_WITH(ag::max_pool2d(x, 0), Contains("max_pool2d: kernel_size must be at least 1, got (0, 0)"));
  CHECK_THROWS_WITH(ag::max_pool2d(x, 2, {1, 0}), Contains("max_pool2d: stride must be at least 1, got (1, 0)"));
  CHECK_THROWS_WITH(ag::max_pool2d(x, 2, 2, 0, 0), Contains("max_pool2d: dilation must be at least 1"));
  CHECK_THROWS_WITH(ag::max_pool2d(x, 3, 1, 2),
                    Contains("max_pool2d: padding must be between 0 and half the kernel size, got padding (2, 2) for "
                             "kernel_size (3, 3)"));
  CHECK_THROWS_WITH(ag::avg_pool2d(x, 2, 2, -1), Contains("avg_pool2d: padding must be between 0"));
  CHECK_THROWS_WITH(ag::max_pool2d(x, 7),
                    Contains("max_pool2d: input shape [2, 3, 6, 6] is too small for kernel_size (7, 7) with stride "
                             "(7, 7), padding (0, 0) and dilation (1, 1): the output would be 0x0"));
  CHECK_THROWS_WITH(ag::max_pool2d(x, 3, 1, 0, 3), Contains("is too small for kernel_size (3, 3)"));
  CHECK_THROWS_WITH(ag::max_pool2d(x.to(ag::kInt64), 2), Contains("max_pool2d") && Contains("int64"));
  // Taps 3 apart from -1 on a plane of 2 miss it (PyTorch reads past the input here).
  CHECK_THROWS_WITH(ag::max_pool2d(ag::randn({1, 1, 2, 2}), 2, 1, 1, 3),
                    Contains("max_pool2d: the window of output (0, 0) holds no input element"));
  CHECK_THROWS_WITH(ag::adaptive_avg_pool2d(x, {0, 2}),
                    Contains("adaptive_avg_pool2d: output_size must be at least 1, got (0, 2) (input shape "
                             "[2, 3, 6, 6])"));
  CHECK_THROWS_WITH(ag::adaptive_avg_pool2d(ag::randn({3, 6}), 2), Contains("adaptive_avg_pool2d: expected a 3-D"));
}

TEST_CASE("the poolings keep an empty batch empty", "[pooling]") {
  const ag::Tensor x = ag::randn({0, 2, 4, 4});
  CHECK(ag::max_pool2d(x, 2).shape() == ag::Shape{0, 2, 2, 2});
  CHECK(ag::avg_pool2d(x, 2).shape() == ag::Shape{0, 2, 2, 2});
  CHECK(ag::adaptive_avg_pool2d(x, 3).shape() == ag::Shape{0, 2, 3, 3});
}
