// The tutorial benchmark's two loops do the same work: the one with ag::Value ends where the hand-derived one does.

#include <catch2/catch.hpp>

#include "common/tutorial_handwritten.hpp"
#include "common/tutorial_value.hpp"

TEST_CASE("the tutorial loop with ag::Value ends at the hand-derived loop's numbers", "[bench][tutorial][value]") {
  constexpr std::int64_t kIterations = 10000;
  const double with_values = bench::train_with_values(kIterations, 0.1, 42);
  CHECK(with_values == Approx(bench::train_handwritten<double>(kIterations, 0.1, 42)).epsilon(1e-12));
  CHECK(with_values == Approx(bench::train_handwritten<float>(kIterations, 0.1f, 42)).epsilon(1e-4));
}
