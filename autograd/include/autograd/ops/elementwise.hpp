#pragma once

/// @file
/// All elementwise ops: arithmetic, math, activations, clamping and comparisons.

#include <autograd/ops/activation.hpp>
#include <autograd/ops/arithmetic.hpp>
#include <autograd/ops/clamp.hpp>
#include <autograd/ops/comparison.hpp>
#include <autograd/ops/math.hpp>
