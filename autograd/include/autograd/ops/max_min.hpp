#pragma once

// Largest and smallest elements (src/ops/max_min.cpp), any dtype. NaN wins, as in PyTorch. Reducing over an empty
// dimension throws, naming the op and the shape: there is no maximum of nothing.

#include <autograd/tensor.hpp>

#include <cstdint>
#include <vector>

namespace ag {

// Values and int64 indices of a reduction along one dim, as torch.return_types.max:
//   auto [values, indices] = ag::max(x, 1);
struct ValuesIndices {
  Tensor values;
  Tensor indices;
};

// Over all elements, or along `dims` (an empty list means all of them): the gradient is split equally among tied
// elements, as in PyTorch.
Tensor max(const Tensor& x);
Tensor min(const Tensor& x);
Tensor amax(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim = false);
Tensor amin(const Tensor& x, const std::vector<std::int64_t>& dims, bool keepdim = false);

// Along one dim: values and the index of the first extreme; the gradient goes to that index only.
ValuesIndices max(const Tensor& x, std::int64_t dim, bool keepdim = false);
ValuesIndices min(const Tensor& x, std::int64_t dim, bool keepdim = false);

// int64 indices of the first maximum/minimum: over the flattened tensor, or along `dim`. No gradient.
Tensor argmax(const Tensor& x);
Tensor argmax(const Tensor& x, std::int64_t dim, bool keepdim = false);
Tensor argmin(const Tensor& x);
Tensor argmin(const Tensor& x, std::int64_t dim, bool keepdim = false);

}  // namespace ag
