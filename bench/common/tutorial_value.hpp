#pragma once

// The tutorial's training run of tutorial_handwritten.hpp, with ag::Value deriving the gradients: eagerly, and with
// the step recorded once by ag::trace_values and replayed.

#include <autograd/grad_mode.hpp>
#include <autograd/value.hpp>
#include <autograd/value_trace.hpp>

#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "common/tutorial_data.hpp"

namespace bench {

// Where a run ended, for the tests that compare the two loops bit for bit.
struct TutorialValueRun {
  std::vector<double> cumulative_errors;  // one every 100 iterations
  std::array<double, 3> parameters{};     // w0, w1, bias
};

// train_handwritten with ag::Value, in float64: backward() finds the gradients, a plain loop applies them.
inline double train_with_values(std::int64_t iterations, double learning_rate, std::uint64_t seed,
                                TutorialValueRun* run = nullptr) {
  std::mt19937_64 random(seed);
  std::normal_distribution<float> normal;
  ag::Value w0(normal(random));
  ag::Value w1(normal(random));
  ag::Value bias(normal(random));
  const auto predict = [&](const TutorialInstance& in) { return (in.x0 * w0 + in.x1 * w1 + bias).sigmoid(); };
  double cumulative_error = 0.0;
  for (std::int64_t iteration = 0; iteration < iterations; ++iteration) {
    const TutorialInstance& in = kTutorialData[random() % kTutorialData.size()];
    const ag::Value error = predict(in) - in.target;
    const ag::Value loss = error * error;
    for (ag::Value* p : {&w0, &w1, &bias}) p->zero_grad();
    loss.backward();
    for (ag::Value* p : {&w0, &w1, &bias}) p->data() -= learning_rate * p->grad();

    if (iteration % 100 == 0) {
      ag::NoGradGuard no_grad;
      cumulative_error = 0.0;
      for (const TutorialInstance& each : kTutorialData) {
        const double error = predict(each).data() - each.target;
        cumulative_error += error * error;
      }
      if (run) run->cumulative_errors.push_back(cumulative_error);
    }
  }
  if (run) run->parameters = {w0.data(), w1.data(), bias.data()};
  return cumulative_error;
}

// train_with_values with its step (forward, zero_grad, backward) recorded once by ag::trace_values and replayed at
// every iteration on the drawn instance, the update after it; the cumulative error is a second trace, replayed every
// 100 iterations. Bitwise the numbers of train_with_values.
inline double train_with_values_replayed(std::int64_t iterations, double learning_rate, std::uint64_t seed,
                                         TutorialValueRun* run = nullptr) {
  std::mt19937_64 random(seed);
  std::normal_distribution<float> normal;
  ag::Value w0(normal(random));
  ag::Value w1(normal(random));
  ag::Value bias(normal(random));
  // Recorded on any instance: the step starts with zero_grad() and the update is outside it, so the recording
  // changes nothing that the first replay does not set again.
  ag::ValueTrace step = ag::trace_values({0.0, 0.0, 0.0}, [&](const std::vector<ag::Value>& in) {
    const ag::Value error = (in[0] * w0 + in[1] * w1 + bias).sigmoid() - in[2];
    const ag::Value loss = error * error;
    for (ag::Value* p : {&w0, &w1, &bias}) p->zero_grad();
    loss.backward();
    return std::vector<ag::Value>{loss};
  });
  ag::ValueTrace predictions = ag::trace_values({}, [&](const std::vector<ag::Value>&) {
    ag::NoGradGuard no_grad;
    std::vector<ag::Value> predicted;
    for (const TutorialInstance& each : kTutorialData)
      predicted.push_back((each.x0 * w0 + each.x1 * w1 + bias).sigmoid());
    return predicted;
  });
  double cumulative_error = 0.0;
  for (std::int64_t iteration = 0; iteration < iterations; ++iteration) {
    const TutorialInstance& in = kTutorialData[random() % kTutorialData.size()];
    step.replay({in.x0, in.x1, in.target});
    for (ag::Value* p : {&w0, &w1, &bias}) p->data() -= learning_rate * p->grad();

    if (iteration % 100 == 0) {
      const std::vector<ag::Value>& predicted = predictions.replay();
      cumulative_error = 0.0;
      for (std::size_t i = 0; i < kTutorialData.size(); ++i) {
        const double error = predicted[i].data() - kTutorialData[i].target;
        cumulative_error += error * error;
      }
      if (run) run->cumulative_errors.push_back(cumulative_error);
    }
  }
  if (run) run->parameters = {w0.data(), w1.data(), bias.data()};
  return cumulative_error;
}

}  // namespace bench
