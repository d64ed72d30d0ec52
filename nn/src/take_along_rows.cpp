#include "take_along_rows.hpp"

#include <autograd/creation.hpp>
#include <autograd/function.hpp>

namespace ag::nn {

Tensor take_along_rows(const Tensor& matrix, const std::vector<std::int64_t>& columns) {
  const std::int64_t rows = matrix.shape()[0];
  const std::int64_t width = matrix.shape()[1];
  Tensor out = empty({rows}, matrix.dtype());
  dispatch(matrix.dtype(), [&]<class T>(T) {
    const T* values = matrix.data<T>();
    T* picked = out.mutable_data<T>();
    for (std::int64_t i = 0; i < rows; ++i) picked[i] = values[i * width + columns[i]];
  });
  return make_op("take_along_rows", std::move(out), {matrix}, [columns](BackwardContext& ctx, const Tensor& grad) {
    const Tensor& matrix = ctx.input(0);
    Tensor grad_matrix = zeros(matrix.shape(), matrix.dtype());
    dispatch(matrix.dtype(), [&]<class T>(T) {
      const T* g = grad.data<T>();
      T* out = grad_matrix.mutable_data<T>();
      const std::int64_t width = matrix.shape()[1];
      for (std::size_t i = 0; i < columns.size(); ++i) out[static_cast<std::int64_t>(i) * width + columns[i]] = g[i];
    });
    ctx.add_grad(0, std::move(grad_matrix));
  });
}

}  // namespace ag::nn
