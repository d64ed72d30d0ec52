#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// All elementwise ops: arithmetic, math, activations, clamping and comparisons.

#include <autograd/ops/activation.hpp>
#include <autograd/ops/arithmetic.hpp>
#include <autograd/ops/clamp.hpp>
#include <autograd/ops/comparison.hpp>
#include <autograd/ops/math.hpp>

#pragma GCC visibility pop
