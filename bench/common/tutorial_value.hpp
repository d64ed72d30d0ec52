#pragma once

// The tutorial's training run of tutorial_handwritten.hpp, with ag::Value deriving the gradients.

#include <autograd/grad_mode.hpp>
#include <autograd/value.hpp>

#include <cstdint>
#include <random>

#include "common/tutorial_data.hpp"

namespace bench {

// train_handwritten with ag::Value, in float64: backward() finds the gradients, a plain loop applies them.
inline double train_with_values(std::int64_t iterations, double learning_rate, std::uint64_t seed) {
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
    }
  }
  return cumulative_error;
}

}  // namespace bench
