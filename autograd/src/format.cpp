#include <autograd/format.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <ostream>
#include <string>
#include <type_traits>

namespace ag {
namespace {

constexpr std::int64_t kSummariseAbove = 1000;  // larger tensors show the first and last rows of every dim
constexpr std::int64_t kEdgeItems = 3;

// Prints as PyTorch's repr: nested brackets, sub-tensors of d dims separated by d - 1 newlines, and in a
// summarised tensor "..." in place of all but the first and last kEdgeItems entries of each longer dim.
template <class T>
struct Printer {
  const T* values;
  const Shape& shape;
  std::array<std::int64_t, kMaxDims> strides;
  bool summarise;
  bool integral;  // floating point only: every value is a whole number, printed as "3."
  std::string out;

  void element(T v) {
    if constexpr (std::is_same_v<T, bool>)
      out += v ? "True" : "False";
    else if constexpr (std::is_integral_v<T>)
      fmt::format_to(std::back_inserter(out), "{}", v);
    else if (integral)
      fmt::format_to(std::back_inserter(out), "{:.0f}.", v);
    else
      fmt::format_to(std::back_inserter(out), "{:.4f}", v);
  }

  void level(int depth, std::int64_t offset, int indent) {
    if (depth == shape.size()) return element(values[offset]);
    const int dims = shape.size() - depth;
    std::string separator = ",";
    if (dims == 1)
      separator += ' ';
    else
      separator.append(static_cast<std::size_t>(dims - 1), '\n').append(static_cast<std::size_t>(indent + 1), ' ');
    const std::int64_t n = shape[depth];
    const bool cut = summarise && n > 2 * kEdgeItems;
    out += '[';
    for (std::int64_t i = 0; i < n; ++i) {
      if (i > 0) out += separator;
      if (cut && i == kEdgeItems) {
        out += "...";
        out += separator;
        i = n - kEdgeItems;
      }
      level(depth + 1, offset + i * strides[depth], indent + 1);
    }
    out += ']';
  }
};

}  // namespace

std::string to_string(const Tensor& tensor) {
  if (!tensor.defined()) return "tensor(undefined)";
  std::string out = dispatch(tensor.dtype(), [&]<class T>(T) {
    const T* values = tensor.data<T>();
    bool integral = false;
    if constexpr (std::is_floating_point_v<T>)
      integral = std::all_of(values, values + tensor.numel(),
                             [](T v) { return std::isfinite(v) && v == std::round(v) && std::abs(v) < 1e9; });
    Printer<T> printer{values,   tensor.shape(), contiguous_strides(tensor.shape()), tensor.numel() > kSummariseAbove,
                       integral, "tensor("};
    printer.level(0, 0, 7);
    return std::move(printer.out);
  });
  fmt::format_to(std::back_inserter(out), ", shape={}, dtype={}", tensor.shape(), dtype_name(tensor.dtype()));
  if (*tensor.op_name())
    fmt::format_to(std::back_inserter(out), ", grad_fn=<{}>", tensor.op_name());
  else if (tensor.requires_grad())
    out += ", requires_grad=true";
  out += ')';
  return out;
}

std::ostream& operator<<(std::ostream& out, const Tensor& tensor) { return out << to_string(tensor); }

}  // namespace ag
