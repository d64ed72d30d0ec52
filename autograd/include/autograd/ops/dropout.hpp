#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Dropout (src/ops/dropout.cpp): random zeroing drawn from the global generator (ag::manual_seed); floating point
/// only.

#include <autograd/tensor.hpp>

namespace ag {

/// With `training`, each element of x is zeroed with probability p and the others are scaled by 1 / (1 - p), so
/// the expected value is x's (all zero for p = 1); without `training`, or with p = 0, x itself. The mask comes from
/// the global generator, so a run after manual_seed repeats itself.
/// Gradient: d/dx = g * mask / (1 - p), the same mask.
/// Throws ag::Error if p lies outside [0, 1] or x is not floating point.
Tensor dropout(const Tensor& x, double p = 0.5, bool training = true);

}  // namespace ag

#pragma GCC visibility pop
