#pragma once

// Inputs and checks that several op test files share.

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

// Standard normal float64 values: gradcheck's usual input.
inline ag::Tensor normal(const ag::Shape& shape) { return ag::randn(shape, ag::kFloat64); }

// 0, 1, 2, ... in `shape`, so a rearrangement shows in the values.
inline ag::Tensor counting(const std::vector<std::int64_t>& shape) {
  std::int64_t count = 1;
  for (auto d : shape) count *= d;
  return ag::arange(static_cast<double>(count)).reshape(shape);
}

// Checks the first and the second derivatives of f at `inputs` against finite differences.
inline void check_gradients_twice(const ag::GradcheckFunction& f, const std::vector<ag::Tensor>& inputs) {
  CHECK_THAT(ag::gradcheck(f, inputs), PassesGradcheck());
  CHECK_THAT(ag::gradgradcheck(f, inputs), PassesGradcheck());
}

// Gradchecks and gradgradchecks op on x alone, and with x reused: op(x) is weighted by a second use of x, summed to
// match shapes.
inline void check_rearrangement_gradients(const std::function<ag::Tensor(const ag::Tensor&)>& op, const ag::Tensor& x) {
  check_gradients_twice([&](const auto& in) { return op(in[0]); }, {x});
  INFO("input reused: sum(op(x)) * x");
  check_gradients_twice([&](const auto& in) { return ag::sum(op(in[0])) * in[0]; }, {x});
}

using BinaryOp = std::function<ag::Tensor(const ag::Tensor&, const ag::Tensor&)>;
using UnaryOp = std::function<ag::Tensor(const ag::Tensor&)>;
using MakeTensor = ag::Tensor (*)(const ag::Shape&);

// In [0.5, 1.5): inside the domain of log, sqrt and real powers, and far from a division by zero.
inline ag::Tensor positive(const ag::Shape& shape) { return ag::rand(shape, ag::kFloat64) + 0.5; }

// Magnitudes in [0.1, 1.1) with random signs: away from 0, where abs and relu have their kink.
inline ag::Tensor off_zero(const ag::Shape& shape) {
  const ag::Tensor sign =
      ag::where(ag::rand(shape, ag::kFloat64) < 0.5, ag::scalar(-1.0, ag::kFloat64), ag::scalar(1.0, ag::kFloat64));
  return sign * (ag::rand(shape, ag::kFloat64) + 0.1);
}

// Gradchecks and gradgradchecks op on equal shapes, broadcasting both ways, size-1 dims, 0-d operands, and one
// input used as both operands (which also makes maximum and minimum tie).
inline void check_binary_gradients(const BinaryOp& op, MakeTensor make_a, MakeTensor make_b) {
  const std::vector<std::pair<ag::Shape, ag::Shape>> shape_pairs = {
      {{2, 3}, {2, 3}}, {{2, 3}, {3}}, {{3, 1}, {1, 4}}, {{2, 1, 3}, {4, 1}}, {{}, {2, 3}}, {{2, 3}, {}}, {{}, {}}};
  for (const auto& [shape_a, shape_b] : shape_pairs) {
    INFO("shapes " << fmt::format("{} and {}", shape_a, shape_b));
    check_gradients_twice([&](const auto& in) { return op(in[0], in[1]); }, {make_a(shape_a), make_b(shape_b)});
  }
  INFO("one input as both operands");
  check_gradients_twice([&](const auto& in) { return op(in[0], in[0]); }, {positive({2, 3})});
}

// Gradchecks and gradgradchecks op on 0-d, 1-D and size-1 shapes, and with its input reused in a second branch.
inline void check_unary_gradients(const UnaryOp& op, MakeTensor make) {
  for (const ag::Shape& shape : {ag::Shape{}, ag::Shape{5}, ag::Shape{2, 1, 3}}) {
    INFO("shape " << fmt::format("{}", shape));
    check_gradients_twice([&](const auto& in) { return op(in[0]); }, {make(shape)});
  }
  INFO("input reused: op(x) * x");
  check_gradients_twice([&](const auto& in) { return op(in[0]) * in[0]; }, {make({2, 3})});
}
