#include <autograd/autograd.hpp>
#include <autograd/ops/convolution.hpp>
#include <autograd/ops/pooling.hpp>

#include <catch2/catch.hpp>

#include "trace_check.hpp"

#include <cstdint>
#include <vector>

namespace {

ag::Tensor random_input(const ag::Shape& shape, ag::DType dtype) {
  return ag::randn(shape, ag::kFloat64).to(dtype).requires_grad_(true);
}

// One convolution to trace: shapes and settings.
struct ConvCase {
  const char* name;
  ag::Shape input, weight;
  bool bias;
  std::int64_t stride, padding, dilation, groups;
};

const std::vector<ConvCase> kConv2dCases = {
    {"plain, with bias", {2, 3, 7, 6}, {4, 3, 3, 3}, true, 1, 0, 1, 1},
    {"stride 2, padding 1", {2, 3, 7, 6}, {4, 3, 3, 2}, false, 2, 1, 1, 1},
    {"dilation 2, padding 2, bias", {1, 2, 9, 8}, {3, 2, 3, 3}, true, 1, 2, 2, 1},
    {"groups 2, stride 2, bias", {2, 4, 6, 6}, {6, 2, 3, 3}, true, 2, 1, 1, 2},
    {"1x1 pointwise", {2, 3, 5, 4}, {5, 3, 1, 1}, false, 1, 0, 1, 1},
    {"unbatched", {3, 5, 5}, {2, 3, 2, 2}, true, 1, 1, 1, 1},
    {"empty batch", {0, 3, 5, 5}, {2, 3, 3, 3}, true, 1, 0, 1, 1},
};

const std::vector<ConvCase> kConv1dCases = {
    {"plain, with bias", {2, 3, 9}, {4, 3, 3}, true, 1, 0, 1, 1},
    {"stride 2, padding 1, dilation 2", {2, 3, 11}, {4, 3, 3}, false, 2, 1, 2, 1},
    {"groups 3, bias", {2, 6, 8}, {3, 2, 2}, true, 1, 1, 1, 3},
    {"unbatched", {3, 7}, {2, 3, 3}, true, 1, 0, 1, 1},
};

// The case's inputs: x, weight, and the bias where it has one.
std::vector<ag::Tensor> conv_inputs(const ConvCase& c, ag::DType dtype) {
  std::vector<ag::Tensor> inputs{random_input(c.input, dtype), random_input(c.weight, dtype)};
  if (c.bias) inputs.push_back(random_input({c.weight[0]}, dtype));
  return inputs;
}

ag::Tensor bias_of(const std::vector<ag::Tensor>& in) { return in.size() == 3 ? in[2] : ag::Tensor(); }

}  // namespace

TEST_CASE("conv2d replays its forward and backward as eager steps, on oneDNN and on im2col", "[trace][trace-conv]") {
  for (const ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
    for (const ConvCase& c : kConv2dCases) {
      INFO(c.name << ", " << ag::dtype_name(dtype));
      check_replay_matches_eager(
          [&](const std::vector<ag::Tensor>& in) {
            return ag::conv2d(in[0], in[1], bias_of(in), c.stride, c.padding, c.dilation, c.groups);
          },
          conv_inputs(c, dtype), conv_inputs(c, dtype));
    }
  }
}

TEST_CASE("conv1d replays its forward and backward as eager steps, on oneDNN and on im2col", "[trace][trace-conv]") {
  for (const ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
    for (const ConvCase& c : kConv1dCases) {
      INFO(c.name << ", " << ag::dtype_name(dtype));
      check_replay_matches_eager(
          [&](const std::vector<ag::Tensor>& in) {
            return ag::conv1d(in[0], in[1], bias_of(in), c.stride, c.padding, c.dilation, c.groups);
          },
          conv_inputs(c, dtype), conv_inputs(c, dtype));
    }
  }
}

TEST_CASE("a float32 conv2d trace keeps its oneDNN plans after the plan cache drops them", "[trace][trace-conv]") {
  const ConvCase c = kConv2dCases[3];
  const auto f = [&](const std::vector<ag::Tensor>& in) {
    return ag::conv2d(in[0], in[1], in[2], c.stride, c.padding, c.dilation, c.groups);
  };
  const std::vector<ag::Tensor> replayed = conv_inputs(c, ag::kFloat32);
  ag::Trace trace = ag::trace(conv_inputs(c, ag::kFloat32), [&](const std::vector<ag::Tensor>& in) {
    for (ag::Tensor input : in) input.zero_grad();
    ag::Tensor output = f(in);
    output.sum().backward();
    return std::vector<ag::Tensor>{output, in[0].grad(), in[1].grad(), in[2].grad()};
  });
  // More geometries than the cache holds (64 per thread), each with its forward plan, so the trace's are dropped.
  for (std::int64_t width = 3; width < 3 + 70; ++width)
    ag::conv2d(ag::randn({1, 1, 3, width}), ag::randn({1, 1, 3, 3}));

  const std::vector<ag::Tensor> eager = trace_check::eager_step(
      f, replayed, ag::ones(f(replayed).shape(), ag::kFloat32));  // weights of ones: the gradient of sum()
  std::vector<ag::Tensor> inputs;
  for (const ag::Tensor& input : replayed) inputs.push_back(input.detach());
  const std::vector<ag::Tensor>& results = trace.replay(inputs);
  REQUIRE(results.size() == eager.size());
  for (std::size_t i = 0; i < results.size(); ++i) trace_check::require_bitwise_equal(results[i], eager[i], i);
}

TEST_CASE("a float32 conv2d trace replays after the thread count changed", "[trace][trace-conv][threads]") {
  const int threads = ag::get_num_threads();
  const ConvCase c = kConv2dCases[0];
  const auto f = [&](const std::vector<ag::Tensor>& in) {
    return ag::conv2d(in[0], in[1], in[2], c.stride, c.padding, c.dilation, c.groups);
  };
  ag::set_num_threads(1);
  ag::Trace trace = ag::trace(conv_inputs(c, ag::kFloat32), [&](const std::vector<ag::Tensor>& in) {
    for (ag::Tensor input : in) input.zero_grad();
    ag::Tensor output = f(in);
    output.sum().backward();
    return std::vector<ag::Tensor>{output, in[0].grad(), in[1].grad(), in[2].grad()};
  });
  ag::set_num_threads(2);
  const std::vector<ag::Tensor> replayed = conv_inputs(c, ag::kFloat32);
  const std::vector<ag::Tensor> eager =
      trace_check::eager_step(f, replayed, ag::ones(f(replayed).shape(), ag::kFloat32));
  std::vector<ag::Tensor> inputs;
  for (const ag::Tensor& input : replayed) inputs.push_back(input.detach());
  const std::vector<ag::Tensor> results = trace.replay(inputs);
  ag::set_num_threads(threads);
  REQUIRE(results.size() == eager.size());
  for (std::size_t i = 0; i < results.size(); ++i) trace_check::require_bitwise_equal(results[i], eager[i], i);
}

TEST_CASE("max_pool2d replays its forward and backward as eager steps", "[trace][trace-conv]") {
  struct PoolCase {
    const char* name;
    ag::Shape input;
    std::int64_t kernel, stride, padding, dilation;
    bool ceil_mode;
  };
  const std::vector<PoolCase> cases = {
      {"2x2 at stride 2 (the vectorized loop)", {2, 3, 8, 6}, 2, 2, 0, 1, false},
      {"3x3 at stride 2, padding 1", {2, 3, 7, 7}, 3, 2, 1, 1, false},
      {"dilation 2, ceil_mode", {1, 2, 9, 8}, 2, 2, 1, 2, true},
      {"unbatched, overlapping windows", {3, 5, 5}, 3, 1, 0, 1, false},
  };
  for (const ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
    for (const PoolCase& c : cases) {
      INFO(c.name << ", " << ag::dtype_name(dtype));
      check_replay_matches_eager(
          [&](const std::vector<ag::Tensor>& in) {
            return ag::max_pool2d(in[0], c.kernel, c.stride, c.padding, c.dilation, c.ceil_mode);
          },
          {random_input(c.input, dtype)}, {random_input(c.input, dtype)});
    }
  }
}

TEST_CASE("avg_pool2d and adaptive_avg_pool2d replay their forward and backward as eager steps",
          "[trace][trace-conv]") {
  for (const ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
    INFO(ag::dtype_name(dtype));
    const ag::Shape shape{2, 3, 7, 6};
    const auto check = [&](const char* name, const TracedFunction& f) {
      INFO(name);
      check_replay_matches_eager(f, {random_input(shape, dtype)}, {random_input(shape, dtype)});
    };
    check("avg_pool2d 2x2", [](const auto& in) { return ag::avg_pool2d(in[0], 2); });
    check("avg_pool2d 3x3, stride 2, padding 1, ceil_mode, count_include_pad",
          [](const auto& in) { return ag::avg_pool2d(in[0], 3, 2, 1, true, true); });
    check("avg_pool2d 3x2, stride 1, padding 1, without the padding in the count", [](const auto& in) {
      return ag::avg_pool2d(in[0], {3, 2}, 1, 1, false, false);
    });
    check("adaptive_avg_pool2d to 3x4 (overlapping cells)", [](const auto& in) {
      return ag::adaptive_avg_pool2d(in[0], {3, 4});
    });
    check("adaptive_avg_pool2d to 1x1", [](const auto& in) { return ag::adaptive_avg_pool2d(in[0], 1); });
  }
}

namespace {

// A small CNN's parameters: conv 1 -> 4 channels 3x3 (padding 1), then a [4 * 4 * 4, 3] matrix after a 2x2 max pool.
struct Cnn {
  explicit Cnn(ag::DType dtype)
      : conv_weight((ag::randn({4, 1, 3, 3}, ag::kFloat64) * 0.3).to(dtype).requires_grad_(true)),
        conv_bias((ag::randn({4}, ag::kFloat64) * 0.1).to(dtype).requires_grad_(true)),
        fc_weight((ag::randn({64, 3}, ag::kFloat64) * 0.1).to(dtype).requires_grad_(true)) {}
  Cnn copy() const {
    Cnn other = *this;
    for (ag::Tensor* p : {&other.conv_weight, &other.conv_bias, &other.fc_weight})
      *p = p->detach().clone().requires_grad_(true);
    return other;
  }
  std::vector<ag::Tensor> parameters() const { return {conv_weight, conv_bias, fc_weight}; }

  // One SGD step on the batch (x [N, 1, 8, 8], target [N, 3]); returns the loss.
  ag::Tensor step(const ag::Tensor& x, const ag::Tensor& target) {
    for (ag::Tensor p : parameters()) p.zero_grad();
    const ag::Tensor features = ag::max_pool2d(ag::relu(ag::conv2d(x, conv_weight, conv_bias, 1, 1)), 2);
    const ag::Tensor error = ag::matmul(features.reshape({x.shape()[0], 64}), fc_weight) - target;
    ag::Tensor loss = (error * error).mean();
    loss.backward();
    ag::NoGradGuard no_grad;
    for (ag::Tensor p : parameters()) p.add_(p.grad(), -0.1);
    return loss;
  }

  ag::Tensor conv_weight, conv_bias, fc_weight;
};

}  // namespace

TEST_CASE("a small CNN's training step replayed N times equals N eager steps", "[trace][trace-conv]") {
  for (const ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
    INFO(ag::dtype_name(dtype));
    Cnn traced(dtype);
    Cnn eager = traced.copy();
    const auto batch = [dtype] {
      return std::vector<ag::Tensor>{ag::randn({5, 1, 8, 8}, ag::kFloat64).to(dtype),
                                     ag::randn({5, 3}, ag::kFloat64).to(dtype)};
    };
    const std::vector<ag::Tensor> example = batch();
    ag::Trace trace = ag::trace(
        example, [&](const std::vector<ag::Tensor>& in) { return std::vector<ag::Tensor>{traced.step(in[0], in[1])}; });
    for (int i = 0; i < trace.recordings(); ++i) eager.step(example[0], example[1]);
    for (int round = 0; round < 4; ++round) {
      INFO("step " << round + 1);
      const std::vector<ag::Tensor> data = batch();
      const ag::Tensor loss = trace.replay(data)[0];
      CHECK(loss.to_vector() == eager.step(data[0], data[1]).to_vector());
    }
    const std::vector<ag::Tensor> traced_parameters = traced.parameters();
    const std::vector<ag::Tensor> eager_parameters = eager.parameters();
    for (std::size_t i = 0; i < traced_parameters.size(); ++i) {
      INFO("parameter " << i);
      CHECK(traced_parameters[i].to_vector() == eager_parameters[i].to_vector());
    }
  }
}
