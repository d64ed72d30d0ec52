#pragma once

// The backward of broadcasting, shared by the binary elementwise ops.

#include <autograd/function.hpp>
#include <autograd/ops/reduction.hpp>

#include "../kernels.hpp"

namespace ag {

// grad summed back over the dims that broadcasting added to an input of `shape`. The kernel passes grad through
// when nothing was broadcast; a sum it computes is not recorded, so under create_graph the op does it instead.
inline Tensor sum_back(const BackwardContext& ctx, const Tensor& grad, const Shape& shape) {
  if (ctx.create_graph() && grad.shape() != shape) return sum_to_shape(grad, shape);
  return kernels::sum_to(grad, shape);
}

}  // namespace ag
