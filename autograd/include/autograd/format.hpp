#pragma once

// Printing tensors with fmt, in the spirit of PyTorch's repr:
//   tensor([[1.0000, 2.0000],
//           [3.0000, 4.0000]], shape=[2, 2], dtype=float32, requires_grad=true)
//   tensor([3, -1], shape=[2], dtype=int64)
//   tensor([True, False], shape=[2], dtype=bool)
// A tensor of more than 1000 elements shows the first and last 3 entries of each longer dim, with "..." between.

#include <autograd/tensor.hpp>

#include <fmt/format.h>

#include <iosfwd>
#include <string>

namespace ag {

std::string to_string(const Tensor& tensor);
std::ostream& operator<<(std::ostream& out, const Tensor& tensor);

}  // namespace ag

template <>
struct fmt::formatter<ag::Tensor> : fmt::formatter<std::string_view> {
  auto format(const ag::Tensor& tensor, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(ag::to_string(tensor), ctx);
  }
};
