#pragma once

// The tutorial's eight instances, shared by the two loops of the tutorial benchmark (tutorial_handwritten.hpp,
// tutorial_value.hpp). Each loop draws its initial weights and its instances from std::mt19937_64 in the same
// order, so both do the same work and end at the same numbers (to rounding, in the same precision).

#include <array>

namespace bench {

struct TutorialInstance {
  float x0, x1, target;
};

inline constexpr std::array<TutorialInstance, 8> kTutorialData{
    {{3, 1.5, 0}, {2, 1, 1}, {4, 1.5, 0}, {3, 4, 1}, {3.5, 0.5, 0}, {2, 0.5, 1}, {5.5, 1, 1}, {1, 1, 0}}};

}  // namespace bench
