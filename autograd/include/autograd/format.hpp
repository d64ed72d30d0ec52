#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Printing tensors with fmt, in the spirit of PyTorch's repr:
/// @code{.unparsed}
/// tensor([[1.0000, 2.0000],
///         [3.0000, 4.0000]], shape=[2, 2], dtype=float32, requires_grad=true)
/// tensor([3, -1], shape=[2], dtype=int64)
/// tensor([True, False], shape=[2], dtype=bool)
/// @endcode
/// A tensor of more than 1000 elements shows the first and last 3 entries of each longer dim, with "..." between.

#include <autograd/tensor.hpp>

#include <fmt/format.h>

#include <iosfwd>
#include <string>

namespace ag {

/// The tensor's values and metadata as PyTorch's repr prints them (see format.hpp); fmt::format("{}", t) and
/// `std::cout << t` print the same.
std::string to_string(const Tensor& tensor);
/// Writes to_string(tensor) to `out`.
std::ostream& operator<<(std::ostream& out, const Tensor& tensor);

}  // namespace ag

/// @cond
template <>
struct fmt::formatter<ag::Tensor> : fmt::formatter<std::string_view> {
  auto format(const ag::Tensor& tensor, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(ag::to_string(tensor), ctx);
  }
};
/// @endcond

#pragma GCC visibility pop
