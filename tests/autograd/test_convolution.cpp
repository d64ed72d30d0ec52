#include <autograd/autograd.hpp>
#include <autograd/ops/convolution.hpp>

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"
#include "reference/conv_reference.hpp"
#include "tensor_matchers.hpp"
#include "test_tensors.hpp"

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

using Catch::Contains;

namespace {

// The reference case's convolution on its inputs, converted to `dtype`.
ag::Tensor run_reference_conv(const conv_reference::Case& c, ag::DType dtype) {
  using conv_reference::wave;
  const ag::Tensor x = wave(c.input, conv_reference::kInputPhase).to(dtype);
  const ag::Tensor w = wave(c.weight, conv_reference::kWeightPhase).to(dtype);
  const ag::Tensor b = c.bias ? wave({c.weight[0]}, conv_reference::kBiasPhase).to(dtype) : ag::Tensor();
  if (std::string(c.op) == "conv1d") return ag::conv1d(x, w, b, c.stride[0], c.padding[0], c.dilation[0], c.groups);
  return ag::conv2d(x, w, b, {c.stride[0], c.stride[1]}, {c.padding[0], c.padding[1]}, {c.dilation[0], c.dilation[1]},
                    c.groups);
}

// One configuration of conv2d to gradcheck: shapes and settings.
struct Conv2dConfig {
  const char* name;
  ag::Shape input, weight;
  bool bias;
  ag::ExpandingArray<2> stride, padding, dilation;
  std::int64_t groups;
};

// The settings gradcheck covers, run by the float64 (im2col) and float32 (oneDNN) kernels alike.
const std::vector<Conv2dConfig>& conv2d_configs() {
  static const std::vector<Conv2dConfig> configs = {
      {"3x3, bias", {2, 2, 5, 5}, {3, 2, 3, 3}, true, 1, 0, 1, 1},
      {"stride 2, padding 1", {2, 2, 6, 5}, {3, 2, 3, 3}, true, 2, 1, 1, 1},
      {"dilation 2, padding (2, 1)", {1, 2, 6, 6}, {2, 2, 3, 3}, true, 1, {2, 1}, 2, 1},
      {"groups 2, stride (1, 2)", {2, 4, 5, 5}, {4, 2, 3, 3}, true, {1, 2}, 1, 1, 2},
      {"no bias, non-square 2x3 kernel on a 4x6 input", {2, 2, 4, 6}, {3, 2, 2, 3}, false, 1, {1, 0}, 1, 1},
      {"1x1 kernel", {2, 3, 3, 4}, {2, 3, 1, 1}, true, 1, 0, 1, 1},
      {"1x1 kernel, stride 2", {1, 3, 5, 4}, {2, 3, 1, 1}, false, 2, 0, 1, 1},
      {"unbatched input", {2, 4, 4}, {3, 2, 2, 2}, true, 1, 1, 1, 1},
      {"depthwise, groups = channels", {1, 3, 5, 5}, {3, 1, 3, 3}, true, 1, 1, 1, 3},
  };
  return configs;
}

}  // namespace

TEST_CASE("conv1d and conv2d match PyTorch on fixed inputs, in float64 and float32", "[conv]") {
  int checked = 0;
  for (const auto& c : conv_reference::cases()) {
    const std::string op = c.op;
    if (op != "conv1d" && op != "conv2d") continue;
    INFO(op << ": " << c.name);
    const ag::Tensor y = run_reference_conv(c, ag::kFloat64);
    CHECK(y.shape() == ag::Shape(c.output_shape));
    CHECK_THAT(y, HasValues(c.output, 1e-12));
    const ag::Tensor y32 = run_reference_conv(c, ag::kFloat32);
    CHECK(y32.dtype() == ag::kFloat32);
    CHECK_THAT(y32, HasValues(c.output, 1e-5));
    ++checked;
  }
  CHECK(checked == 13);
}

TEST_CASE("conv2d passes gradcheck and gradgradcheck over stride, padding, dilation, groups and bias",
          "[conv][gradcheck]") {
  ag::manual_seed(7);
  for (const auto& config : conv2d_configs()) {
    INFO(config.name);
    std::vector<ag::Tensor> inputs = {normal(config.input), normal(config.weight)};
    if (config.bias) inputs.push_back(normal({config.weight[0]}));
    check_gradients_twice(
        [&](const std::vector<ag::Tensor>& in) {
          return ag::conv2d(in[0], in[1], in.size() == 3 ? in[2] : ag::Tensor(), config.stride, config.padding,
                            config.dilation, config.groups);
        },
        inputs);
  }
}

TEST_CASE("conv1d passes gradcheck and gradgradcheck over stride, padding, dilation, groups and bias",
          "[conv][gradcheck]") {
  ag::manual_seed(8);
  const auto conv = [](std::int64_t stride, std::int64_t padding, std::int64_t dilation, std::int64_t groups) {
    return [=](const std::vector<ag::Tensor>& in) {
      return ag::conv1d(in[0], in[1], in.size() == 3 ? in[2] : ag::Tensor(), stride, padding, dilation, groups);
    };
  };
  SECTION("kernel 3 with bias") {
    check_gradients_twice(conv(1, 0, 1, 1), {normal({2, 2, 7}), normal({3, 2, 3}), normal({3})});
  }
  SECTION("stride 2, padding 2, dilation 2, groups 2") {
    check_gradients_twice(conv(2, 2, 2, 2), {normal({2, 4, 9}), normal({4, 2, 3}), normal({4})});
  }
  SECTION("unbatched, no bias") { check_gradients_twice(conv(1, 1, 1, 1), {normal({3, 6}), normal({2, 3, 4})}); }
}

TEST_CASE("conv2d gradients are recorded as convolutions under create_graph", "[conv][gradcheck]") {
  const ag::Tensor x = ag::randn({1, 2, 4, 4}, ag::dtype(ag::kFloat64).requires_grad(true));
  const ag::Tensor w = ag::randn({3, 2, 3, 3}, ag::dtype(ag::kFloat64).requires_grad(true));
  const ag::Tensor y = ag::conv2d(x, w, ag::Tensor(), 1, 1);
  CHECK(std::string(y.grad_fn()->name()) == "conv2d");
  const auto grads = ag::grad({ag::sum(y * y)}, {x, w}, {.create_graph = true});
  CHECK(std::string(grads[0].grad_fn()->name()) == "conv2d_backward_input");
  CHECK(std::string(grads[1].grad_fn()->name()) == "conv2d_backward_weight");
  // Without create_graph the same kernels run, and nothing is recorded.
  const auto plain =
      ag::grad({ag::sum(ag::conv2d(x, w, ag::Tensor(), 1, 1) * ag::conv2d(x, w, ag::Tensor(), 1, 1))}, {x, w});
  CHECK(plain[0].grad_fn() == nullptr);
  CHECK_THAT(plain[0], HasValues(grads[0].to_vector(), 1e-12));
  CHECK_THAT(plain[1], HasValues(grads[1].to_vector(), 1e-12));
}

TEST_CASE("conv2d in float32 gives the float64 values and gradients in float32", "[conv]") {
  // float32 runs on oneDNN and float64 on im2col: the two must agree on every setting.
  ag::manual_seed(3);
  for (const auto& config : conv2d_configs()) {
    INFO(config.name);
    std::vector<ag::Tensor> inputs64 = {normal(config.input), normal(config.weight)};
    if (config.bias) inputs64.push_back(normal({config.weight[0]}));
    std::vector<std::vector<double>> values[2];
    for (int i = 0; i < 2; ++i) {
      const ag::DType dtype = i == 0 ? ag::kFloat64 : ag::kFloat32;
      std::vector<ag::Tensor> inputs;
      for (const ag::Tensor& t : inputs64) inputs.push_back(t.to(dtype).detach().requires_grad_(true));
      const ag::Tensor bias = inputs.size() == 3 ? inputs[2] : ag::Tensor();
      const ag::Tensor y =
          ag::conv2d(inputs[0], inputs[1], bias, config.stride, config.padding, config.dilation, config.groups);
      CHECK(y.dtype() == dtype);
      ag::sum(y * y).backward();
      values[i].push_back(y.to_vector());
      for (const ag::Tensor& t : inputs) {
        CHECK(t.grad().dtype() == dtype);
        values[i].push_back(t.grad().to_vector());
      }
    }
    for (std::size_t k = 0; k < values[0].size(); ++k)
      CHECK_THAT(ag::from_vector(values[1][k], {static_cast<std::int64_t>(values[1][k].size())}),
                 HasValues(values[0][k], 1e-4));
  }
  INFO("conv1d, stride 2, padding 2, dilation 2, groups 2");
  const ag::Tensor x = normal({2, 4, 9});
  const ag::Tensor w = normal({4, 2, 3});
  std::vector<double> dx[2];
  for (int i = 0; i < 2; ++i) {
    ag::Tensor input = x.to(i == 0 ? ag::kFloat64 : ag::kFloat32).detach();
    input.requires_grad_(true);
    ag::sum(ag::conv1d(input, w.to(input.dtype()), ag::Tensor(), 2, 2, 2, 2)).backward();
    dx[i] = input.grad().to_vector();
  }
  CHECK_THAT(ag::from_vector(dx[1], {2, 4, 9}), HasValues(dx[0], 1e-4));
}

TEST_CASE("conv2d in float32 gives the same values on several threads at once", "[conv][threads]") {
  // float32 runs on oneDNN, whose plans and streams each thread keeps for itself.
  const ag::Tensor x = ag::randn({4, 3, 9, 9});
  const ag::Tensor w = ag::randn({5, 3, 3, 3});
  const std::vector<double> expected = ag::conv2d(x, w, ag::Tensor(), 2, 1).to_vector();
  std::vector<std::vector<double>> results(4);
  std::vector<std::thread> threads;
  for (auto& result : results)
    threads.emplace_back([&] {
      for (int repeat = 0; repeat < 20; ++repeat) result = ag::conv2d(x, w, ag::Tensor(), 2, 1).to_vector();
    });
  for (auto& thread : threads) thread.join();
  for (const auto& result : results) CHECK(result == expected);
}

TEST_CASE("conv1d and conv2d handle an empty batch in float32 and float64", "[conv]") {
  for (const ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
    const ag::Tensor x = ag::randn({0, 2, 5}, ag::dtype(dtype).requires_grad(true));
    const ag::Tensor w = ag::randn({3, 2, 3}, ag::dtype(dtype).requires_grad(true));
    const ag::Tensor b = ag::randn({3}, ag::dtype(dtype).requires_grad(true));
    const ag::Tensor y = ag::conv1d(x, w, b);
    CHECK(y.shape() == ag::Shape{0, 3, 3});
    ag::sum(y).backward();
    CHECK_THAT(w.grad(), HasValues(std::vector<double>(18, 0.0)));
    CHECK_THAT(b.grad(), HasValues({0, 0, 0}));
    CHECK(ag::conv2d(ag::randn({0, 2, 4, 4}, dtype), ag::randn({3, 2, 1, 1}, dtype)).shape() == ag::Shape{0, 3, 4, 4});
  }
}

TEST_CASE("conv2d keeps in the graph only the values its backward reads", "[conv]") {
  // The input's values serve only the weight's gradient: with a frozen weight the graph lets them go.
  const ag::Tensor x = ag::randn({4, 2, 8, 8}, ag::requires_grad());
  const ag::Tensor frozen = ag::randn({3, 2, 3, 3});
  const ag::Tensor trained = ag::randn({3, 2, 3, 3}, ag::requires_grad());
  const ag::Tensor y_frozen = ag::conv2d(x * 2.0, frozen, ag::Tensor(), 1, 1);
  const ag::Tensor y_trained = ag::conv2d(x * 2.0, trained, ag::Tensor(), 1, 1);
  const std::int64_t output_bytes = y_frozen.numel() * 4;
  CHECK(ag::graph_bytes(y_frozen) == output_bytes);
  CHECK(ag::graph_bytes(y_trained) == output_bytes + x.numel() * 4);
}

TEST_CASE("conv2d and conv1d name the op and the shapes for bad inputs", "[conv][errors]") {
  const ag::Tensor x = ag::randn({2, 4, 5, 5});
  const ag::Tensor w = ag::randn({6, 2, 3, 3});
  CHECK_THROWS_WITH(ag::conv2d(ag::randn({4, 5}), w),
                    Contains("conv2d: expected a 3-D (unbatched) or 4-D (batched) input") && Contains("[4, 5]"));
  CHECK_THROWS_WITH(ag::conv2d(x, ag::randn({6, 4, 3})),
                    Contains("conv2d: expected a 4-D weight") && Contains("[6, 4, 3]"));
  CHECK_THROWS_WITH(ag::conv2d(x, ag::randn({6, 3, 3, 3})),
                    Contains("conv2d: input shape [2, 4, 5, 5] has 4 channels, but weight shape [6, 3, 3, 3] with "
                             "groups = 1 expects 3"));
  CHECK_THROWS_WITH(ag::conv2d(x, w), Contains("expects 2 (2 per group)"));
  CHECK_THROWS_WITH(ag::conv2d(x, ag::randn({5, 2, 3, 3}), ag::Tensor(), 1, 0, 1, 2),
                    Contains("conv2d: groups = 2 does not divide the weight's 5 output channels (weight shape "
                             "[5, 2, 3, 3])"));
  CHECK_THROWS_WITH(ag::conv2d(x, ag::randn({6, 4, 3, 3}), ag::Tensor(), 1, 0, 1, 3),
                    Contains("input shape [2, 4, 5, 5] has 4 channels") && Contains("groups = 3 expects 12"));
  CHECK_THROWS_WITH(ag::conv2d(x, w, ag::Tensor(), 1, 0, 1, 0), Contains("conv2d: groups must be at least 1, got 0"));
  CHECK_THROWS_WITH(ag::conv2d(x, w, ag::randn({5}), 1, 0, 1, 2),
                    Contains("conv2d: bias shape [5] does not fit weight shape [6, 2, 3, 3] (expected a bias [6])"));
  CHECK_THROWS_WITH(ag::conv2d(x, ag::randn({6, 2, 7, 3}), ag::Tensor(), 1, 0, 1, 2),
                    Contains("conv2d: the kernel of weight shape [6, 2, 7, 3] (dilation (1, 1)) spans 7 input "
                             "positions along spatial dimension 0, more than the padded input's 5 (input shape "
                             "[2, 4, 5, 5], padding (0, 0))"));
  CHECK_THROWS_WITH(ag::conv2d(x, w, ag::Tensor(), 1, 0, {1, 3}, 2),
                    Contains("spans 7 input positions along spatial dimension 1"));
  CHECK_NOTHROW(ag::conv2d(x, ag::randn({6, 2, 7, 3}), ag::Tensor(), 1, 1, 1, 2));  // padding makes room
  CHECK_THROWS_WITH(ag::conv2d(x, w, ag::Tensor(), {0, 1}, 0, 1, 2),
                    Contains("conv2d: stride must be at least 1, got (0, 1)"));
  CHECK_THROWS_WITH(ag::conv2d(x, w, ag::Tensor(), 1, -1, 1, 2),
                    Contains("conv2d: padding must not be negative, got (-1, -1)"));
  CHECK_THROWS_WITH(ag::conv2d(x, w, ag::Tensor(), 1, 0, 0, 2), Contains("conv2d: dilation must be at least 1"));
  CHECK_THROWS_WITH(ag::conv2d(x, w.to(ag::kFloat64), ag::Tensor(), 1, 0, 1, 2),
                    Contains("conv2d: dtype mismatch: float32 (shape [2, 4, 5, 5]) and float64"));
  CHECK_THROWS_WITH(ag::conv2d(x.to(ag::kInt64), w.to(ag::kInt64), ag::Tensor(), 1, 0, 1, 2),
                    Contains("conv2d") && Contains("int64"));
  CHECK_THROWS_WITH(ag::conv2d(x, w, ag::Tensor(), {1, 2, 3}), Contains("expected one size or 2"));

  CHECK_THROWS_WITH(ag::conv1d(x, ag::randn({6, 4, 3})),
                    Contains("conv1d: expected a 2-D (unbatched) or 3-D (batched) input") && Contains("[2, 4, 5, 5]"));
  CHECK_THROWS_WITH(ag::conv1d(ag::randn({2, 4, 5}), ag::randn({6, 3, 3})),
                    Contains("conv1d: input shape [2, 4, 5] has 4 channels, but weight shape [6, 3, 3]"));
  CHECK_THROWS_WITH(ag::conv1d(ag::randn({2, 4, 2}), ag::randn({6, 4, 3})),
                    Contains("conv1d: the kernel of weight shape [6, 4, 3]") && Contains("padded input's 2"));
}

TEST_CASE("conv2d matches a matrix product for a 1x1 kernel", "[conv]") {
  const ag::Tensor w = ag::randn({3, 2, 1, 1}, ag::kFloat64);
  const ag::Tensor x = ag::randn({1, 2, 3, 3}, ag::kFloat64);
  const ag::Tensor by_matmul = ag::matmul(w.reshape({3, 2}), x.reshape({2, 9})).reshape({1, 3, 3, 3});
  CHECK_THAT(ag::conv2d(x, w), HasValues(by_matmul.to_vector(), 1e-12));
}
