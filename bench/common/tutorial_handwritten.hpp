#pragma once

// The tutorial's training run (online SGD on one sigmoid neuron: prediction = sigmoid(x0 * w0 + x1 * w1 + bias),
// squared error, the cumulative error over the eight instances every 100 iterations) with the gradients the
// tutorial derives on paper.

#include <cmath>
#include <cstdint>
#include <random>

#include "common/tutorial_data.hpp"

namespace bench {

template <class Real>
struct HandwrittenNeuron {
  Real w0, w1, bias;
  Real predict(const TutorialInstance& in) const {
    return Real(1) / (Real(1) + std::exp(-(in.x0 * w0 + in.x1 * w1 + bias)));
  }
};

// The hand-derived loop, in float (the benchmark's peer) or double (to check the Value loop to rounding). Returns
// the last cumulative error, so that the work cannot be optimised away.
template <class Real>
double train_handwritten(std::int64_t iterations, Real learning_rate, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::normal_distribution<float> normal;
  HandwrittenNeuron<Real> neuron{normal(random), normal(random), normal(random)};
  double cumulative_error = 0.0;
  for (std::int64_t iteration = 0; iteration < iterations; ++iteration) {
    const TutorialInstance& in = kTutorialData[random() % kTutorialData.size()];
    const Real prediction = neuron.predict(in);
    const Real derror_dprediction = 2 * (prediction - in.target);
    const Real dprediction_dlayer1 = prediction * (1 - prediction);
    const Real derror_dlayer1 = derror_dprediction * dprediction_dlayer1;  // dlayer1_dbias = 1
    neuron.w0 -= learning_rate * derror_dlayer1 * in.x0;                   // dlayer1_dweights = input
    neuron.w1 -= learning_rate * derror_dlayer1 * in.x1;
    neuron.bias -= learning_rate * derror_dlayer1;

    if (iteration % 100 == 0) {
      cumulative_error = 0.0;
      for (const TutorialInstance& each : kTutorialData) {
        const Real error = neuron.predict(each) - each.target;
        cumulative_error += error * error;
      }
    }
  }
  return cumulative_error;
}

}  // namespace bench
