#pragma once

// The check every op's trace test makes: a traced forward and backward, replayed on new inputs, gives bitwise what an
// eager step on those inputs gives.

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <functional>
#include <vector>

using TracedFunction = std::function<ag::Tensor(const std::vector<ag::Tensor>& inputs)>;

namespace trace_check {

// Standard normal values of `shape` and `dtype`, a leaf that requires grad: a traced op's input.
inline ag::Tensor leaf(const ag::Shape& shape, ag::DType dtype) {
  ag::Tensor t = ag::randn(shape, dtype);
  t.requires_grad_(true);
  return t;
}

// f's output weighted by fixed values and summed, so that the backward does not start from ones everywhere.
inline ag::Tensor weighted_sum(const ag::Tensor& output) {
  if (!ag::is_floating_point(output.dtype())) return ag::Tensor();
  ag::NoGradGuard no_grad;
  const ag::Tensor weights = ag::tanh(ag::arange(static_cast<double>(output.numel())) * 0.37 - 1.3);
  const ag::Shape& shape = output.shape();
  return weights.reshape(std::vector<std::int64_t>(shape.begin(), shape.end())).to(output.dtype());
}

// Eager: f(inputs), and the gradients of sum(f * weights) for the inputs that require grad.
inline std::vector<ag::Tensor> eager_step(const TracedFunction& f, const std::vector<ag::Tensor>& inputs,
                                          const ag::Tensor& weights) {
  std::vector<ag::Tensor> own;
  for (const ag::Tensor& input : inputs) {
    ag::Tensor copy = input.detach().clone();
    if (input.requires_grad()) copy.requires_grad_(true);
    own.push_back(copy);
  }
  std::vector<ag::Tensor> results{f(own)};
  if (results[0].requires_grad()) (results[0] * weights).sum().backward();
  for (const ag::Tensor& input : own)
    if (input.requires_grad()) results.push_back(input.grad());
  return results;
}

inline void require_bitwise_equal(const ag::Tensor& replayed, const ag::Tensor& eager, std::size_t index) {
  INFO("result " << index << " (0: the output, then the inputs' gradients)");
  REQUIRE(replayed.defined() == eager.defined());
  if (!eager.defined()) return;
  REQUIRE(replayed.shape() == eager.shape());
  REQUIRE(replayed.dtype() == eager.dtype());
  CHECK(replayed.to_vector() == eager.to_vector());
}

}  // namespace trace_check

// Records f's forward and backward on `recorded`, replays on `replayed` (same shapes, other values, twice), and
// checks the output and the inputs' gradients equal an eager step's on `replayed`, bitwise. Inputs that require grad
// get gradients; f may return an integer or bool tensor (then no backward).
inline void check_replay_matches_eager(const TracedFunction& f, const std::vector<ag::Tensor>& recorded,
                                       const std::vector<ag::Tensor>& replayed) {
  REQUIRE(recorded.size() == replayed.size());
  ag::Tensor weights;
  {
    ag::NoGradGuard no_grad;
    weights = trace_check::weighted_sum(f(replayed));
  }
  ag::Trace trace = ag::trace(recorded, [&](const std::vector<ag::Tensor>& in) {
    for (ag::Tensor input : in) input.zero_grad();
    ag::Tensor output = f(in);
    std::vector<ag::Tensor> results{output};
    if (output.requires_grad()) (output * weights).sum().backward();
    for (const ag::Tensor& input : in)
      if (input.requires_grad()) results.push_back(input.grad());
    return results;
  });
  const std::vector<ag::Tensor> eager = trace_check::eager_step(f, replayed, weights);
  for (int round = 0; round < 2; ++round) {
    INFO("replay " << round + 1);
    std::vector<ag::Tensor> inputs;
    for (const ag::Tensor& input : replayed) inputs.push_back(input.detach());
    const std::vector<ag::Tensor>& results = trace.replay(inputs);
    REQUIRE(results.size() == eager.size());
    for (std::size_t i = 0; i < results.size(); ++i) trace_check::require_bitwise_equal(results[i], eager[i], i);
  }
}
