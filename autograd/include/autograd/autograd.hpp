#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Everything of the autograd core in one include.

/// @namespace ag
/// The autograd core: tensors, ops, the engine that runs backward, gradient checks and graph inspection; the
/// neural-network layer on top of it is ag::nn.

#include <autograd/anomaly.hpp>
#include <autograd/creation.hpp>
#include <autograd/dtype.hpp>
#include <autograd/engine.hpp>
#include <autograd/error.hpp>
#include <autograd/expanding_array.hpp>
#include <autograd/format.hpp>
#include <autograd/function.hpp>
#include <autograd/functional.hpp>
#include <autograd/grad_mode.hpp>
#include <autograd/gradcheck.hpp>
#include <autograd/inspect.hpp>
#include <autograd/ops/conversion.hpp>
#include <autograd/ops/convolution.hpp>
#include <autograd/ops/dropout.hpp>
#include <autograd/ops/elementwise.hpp>
#include <autograd/ops/indexing.hpp>
#include <autograd/ops/linalg.hpp>
#include <autograd/ops/max_min.hpp>
#include <autograd/ops/normalization.hpp>
#include <autograd/ops/pooling.hpp>
#include <autograd/ops/reduction.hpp>
#include <autograd/ops/shape_ops.hpp>
#include <autograd/ops/softmax.hpp>
#include <autograd/ops/statistics.hpp>
#include <autograd/random.hpp>
#include <autograd/run_kernel.hpp>
#include <autograd/shape.hpp>
#include <autograd/tensor.hpp>
#include <autograd/tensor_options.hpp>
#include <autograd/threads.hpp>
#include <autograd/trace.hpp>
#include <autograd/value.hpp>
#include <autograd/value_trace.hpp>

#pragma GCC visibility pop
