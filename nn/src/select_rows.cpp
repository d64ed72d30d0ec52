#include "select_rows.hpp"

#include <autograd/creation.hpp>

#include <algorithm>

namespace ag::nn {

Tensor select_rows(const Tensor& tensor, const std::vector<std::int64_t>& indices) {
  Shape shape = tensor.shape();
  const std::int64_t row_size = tensor.numel() / shape[0];
  shape[0] = static_cast<std::int64_t>(indices.size());
  Tensor out = empty(shape, tensor.dtype());
  dispatch(tensor.dtype(), [&]<class T>(T) {
    const T* source = tensor.data<T>();
    T* target = out.mutable_data<T>();
    for (std::int64_t index : indices) target = std::copy_n(source + index * row_size, row_size, target);
  });
  return out;
}

}  // namespace ag::nn
