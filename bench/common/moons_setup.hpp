#pragma once

// What every side of the moons benchmarks starts from: the same 100 points, the same initial network, the same
// learning rate. The LibTorch peers copy these values, so every side's first loss must agree.

#include "moons/moons.hpp"

#include <cstdint>
#include <memory>

namespace bench {

inline constexpr std::int64_t kMoonsPoints = 100;
inline constexpr double kMoonsLearningRate = 0.1;

inline moons::Dataset moons_data() { return moons::make_moons(kMoonsPoints, 0.1, 1); }

inline std::unique_ptr<moons::TensorMLP> moons_initial_model() {
  ag::manual_seed(2);
  return std::make_unique<moons::TensorMLP>();
}

}  // namespace bench
