#pragma once

// Inputs and checks that several op test files share.

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"

#include <cstdint>
#include <functional>
#include <vector>

// Standard normal float64 values: gradcheck's usual input.
inline ag::Tensor normal(const ag::Shape& shape) { return ag::randn(shape, ag::kFloat64); }

// 0, 1, 2, ... in `shape`, so a rearrangement shows in the values.
inline ag::Tensor counting(const std::vector<std::int64_t>& shape) {
  std::int64_t count = 1;
  for (auto d : shape) count *= d;
  return ag::arange(static_cast<double>(count)).reshape(shape);
}

// Gradchecks op on x alone, and with x reused: op(x) is weighted by a second use of x, summed to match shapes.
inline void check_rearrangement_gradients(const std::function<ag::Tensor(const ag::Tensor&)>& op, const ag::Tensor& x) {
  CHECK_THAT(ag::gradcheck([&](const auto& in) { return op(in[0]); }, {x}), PassesGradcheck());
  INFO("input reused: sum(op(x)) * x");
  CHECK_THAT(ag::gradcheck([&](const auto& in) { return ag::sum(op(in[0])) * in[0]; }, {x}), PassesGradcheck());
}
