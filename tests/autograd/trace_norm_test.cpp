#include <autograd/autograd.hpp>
#include <autograd/ops/normalization.hpp>

#include <catch2/catch.hpp>

#include "trace_check.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace {

ag::Tensor random_input(const ag::Shape& shape, ag::DType dtype) {
  return ag::randn(shape, ag::kFloat64).to(dtype).requires_grad_(true);
}

// The inputs of a normalisation: x, then the weight and the bias where the case has them.
std::vector<ag::Tensor> affine_inputs(const ag::Shape& x, const ag::Shape& affine, bool affine_defined,
                                      ag::DType dtype) {
  std::vector<ag::Tensor> inputs{random_input(x, dtype)};
  if (affine_defined) {
    inputs.push_back((ag::rand(affine, ag::kFloat64) + 0.5).to(dtype).requires_grad_(true));
    inputs.push_back(random_input(affine, dtype));
  }
  return inputs;
}

ag::Tensor weight_of(const std::vector<ag::Tensor>& in) { return in.size() == 3 ? in[1] : ag::Tensor(); }
ag::Tensor bias_of(const std::vector<ag::Tensor>& in) { return in.size() == 3 ? in[2] : ag::Tensor(); }

}  // namespace

TEST_CASE("batch_norm in training replays its forward and backward as eager steps", "[trace][trace-norm]") {
  for (const ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
    for (const ag::Shape& shape : {ag::Shape{6, 3}, ag::Shape{2, 3, 4, 5}, ag::Shape{3, 2, 7}}) {
      for (const bool affine : {true, false}) {
        for (const bool running : {true, false}) {
          INFO(ag::dtype_name(dtype) << ", input " << fmt::format("{}", shape) << (affine ? ", affine" : "")
                                     << (running ? ", running statistics" : ""));
          const ag::Shape channels{shape[1]};
          // The output does not read the running statistics in training, so every call may update them.
          const ag::Tensor running_mean = running ? ag::zeros(channels, dtype) : ag::Tensor();
          const ag::Tensor running_var = running ? ag::ones(channels, dtype) : ag::Tensor();
          check_replay_matches_eager(
              [&](const std::vector<ag::Tensor>& in) {
                return ag::batch_norm(in[0], running_mean, running_var, weight_of(in), bias_of(in), true, 0.1, 1e-5);
              },
              affine_inputs(shape, channels, affine, dtype), affine_inputs(shape, channels, affine, dtype));
        }
      }
    }
  }
}

TEST_CASE("batch_norm in evaluation replays its forward and backward as eager steps", "[trace][trace-norm]") {
  for (const ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
    for (const bool affine : {true, false}) {
      INFO(ag::dtype_name(dtype) << (affine ? ", affine" : ""));
      const ag::Shape shape{2, 3, 4, 5};
      const ag::Tensor running_mean = ag::randn({3}, ag::kFloat64).to(dtype);
      const ag::Tensor running_var = (ag::rand({3}, ag::kFloat64) + 0.5).to(dtype);
      check_replay_matches_eager(
          [&](const std::vector<ag::Tensor>& in) {
            return ag::batch_norm(in[0], running_mean, running_var, weight_of(in), bias_of(in), false, 0.1, 1e-3);
          },
          affine_inputs(shape, {3}, affine, dtype), affine_inputs(shape, {3}, affine, dtype));
    }
  }
}

TEST_CASE("batch_norm in evaluation replays with the running statistics as they are at the replay",
          "[trace][trace-norm]") {
  const ag::Tensor running_mean = ag::randn({3});
  const ag::Tensor running_var = ag::rand({3}) + 0.5;
  const auto f = [&](const ag::Tensor& x) { return ag::batch_norm(x, running_mean, running_var); };
  ag::Trace trace = ag::trace({ag::randn({4, 3, 2})},
                              [&](const std::vector<ag::Tensor>& in) { return std::vector<ag::Tensor>{f(in[0])}; });
  ag::Tensor(running_mean).copy_(ag::randn({3}));  // as loading a checkpoint does
  ag::Tensor(running_var).copy_(ag::rand({3}) + 2.0);
  const ag::Tensor x = ag::randn({4, 3, 2});
  CHECK(trace.replay({x})[0].to_vector() == f(x).to_vector());
}

namespace {

// A batch-normalised linear model (Linear, BatchNorm1d) trained by SGD, its running statistics updated by each step.
struct NormalizedModel {
  explicit NormalizedModel(ag::DType dtype)
      : weight((ag::randn({4, 3}, ag::kFloat64) * 0.5).to(dtype).requires_grad_(true)),
        gamma((ag::rand({3}, ag::kFloat64) + 0.5).to(dtype).requires_grad_(true)),
        beta(ag::zeros({3}, dtype).requires_grad_(true)),
        running_mean(ag::zeros({3}, dtype)),
        running_var(ag::ones({3}, dtype)) {}
  NormalizedModel copy() const {
    NormalizedModel other = *this;
    for (ag::Tensor* p : {&other.weight, &other.gamma, &other.beta}) *p = p->detach().clone().requires_grad_(true);
    other.running_mean = running_mean.clone();
    other.running_var = running_var.clone();
    return other;
  }
  std::vector<ag::Tensor> parameters() const { return {weight, gamma, beta}; }

  // One SGD step on the batch (x [N, 4], target [N, 3]); returns the loss.
  ag::Tensor step(const ag::Tensor& x, const ag::Tensor& target) {
    for (ag::Tensor p : parameters()) p.zero_grad();
    const ag::Tensor y = ag::batch_norm(ag::matmul(x, weight), running_mean, running_var, gamma, beta, true, 0.2);
    const ag::Tensor error = y - target;
    ag::Tensor loss = (error * error).mean();
    loss.backward();
    ag::NoGradGuard no_grad;
    for (ag::Tensor p : parameters()) p.add_(p.grad(), -0.05);
    return loss;
  }

  ag::Tensor weight, gamma, beta, running_mean, running_var;
};

}  // namespace

TEST_CASE("batch_norm's running statistics after N replays equal those of N eager steps, bitwise",
          "[trace][trace-norm]") {
  for (const ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
    INFO(ag::dtype_name(dtype));
    NormalizedModel traced(dtype);
    NormalizedModel eager = traced.copy();
    const auto batch = [dtype] {
      return std::vector<ag::Tensor>{(ag::randn({8, 4}, ag::kFloat64) + 1.0).to(dtype),
                                     ag::randn({8, 3}, ag::kFloat64).to(dtype)};
    };
    const std::vector<ag::Tensor> example = batch();
    ag::Trace trace = ag::trace(
        example, [&](const std::vector<ag::Tensor>& in) { return std::vector<ag::Tensor>{traced.step(in[0], in[1])}; });
    for (int i = 0; i < trace.recordings(); ++i) eager.step(example[0], example[1]);
    for (int round = 0; round < 5; ++round) {
      INFO("step " << round + 1);
      const std::vector<ag::Tensor> data = batch();
      const std::vector<double> running_mean_before = traced.running_mean.to_vector();
      CHECK(trace.replay(data)[0].to_vector() == eager.step(data[0], data[1]).to_vector());
      CHECK(traced.running_mean.to_vector() != running_mean_before);  // the replay did update them
      CHECK(traced.running_mean.to_vector() == eager.running_mean.to_vector());
      CHECK(traced.running_var.to_vector() == eager.running_var.to_vector());
    }
    const std::vector<ag::Tensor> traced_parameters = traced.parameters();
    const std::vector<ag::Tensor> eager_parameters = eager.parameters();
    for (std::size_t i = 0; i < traced_parameters.size(); ++i) {
      INFO("parameter " << i);
      CHECK(traced_parameters[i].to_vector() == eager_parameters[i].to_vector());
    }
  }
}

TEST_CASE("layer_norm replays its forward and backward as eager steps", "[trace][trace-norm]") {
  struct LayerNormCase {
    ag::Shape input;
    std::vector<std::int64_t> normalized_shape;
  };
  const std::vector<LayerNormCase> cases = {
      {{4, 6}, {6}}, {{2, 3, 5}, {5}}, {{2, 3, 4}, {3, 4}}, {{7}, {7}}, {{3, 2, 2, 3}, {2, 2, 3}}};
  for (const ag::DType dtype : {ag::kFloat32, ag::kFloat64}) {
    for (const LayerNormCase& c : cases) {
      for (const bool affine : {true, false}) {
        INFO(ag::dtype_name(dtype) << ", input " << fmt::format("{}", c.input) << (affine ? ", affine" : ""));
        const ag::Shape affine_shape{std::span<const std::int64_t>(c.normalized_shape)};
        check_replay_matches_eager(
            [&](const std::vector<ag::Tensor>& in) {
              return ag::layer_norm(in[0], c.normalized_shape, weight_of(in), bias_of(in), 1e-5);
            },
            affine_inputs(c.input, affine_shape, affine, dtype), affine_inputs(c.input, affine_shape, affine, dtype));
      }
    }
  }
}
