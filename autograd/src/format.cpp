#include <autograd/format.hpp>

#include <cmath>
#include <ostream>

namespace ag {
namespace {

constexpr std::int64_t kSummariseAbove = 1000;  // longer tensors show their first and last few rows
constexpr std::int64_t kEdgeItems = 3;

struct Printer {
  std::vector<double> values;
  Shape shape;
  std::array<std::int64_t, kMaxDims> strides{};
  bool summarise = false;
  bool integral = true;
  std::string out;

  void element(double v) {
    if (integral)
      fmt::format_to(std::back_inserter(out), "{:.0f}.", v);
    else
      fmt::format_to(std::back_inserter(out), "{:.4f}", v);
  }

  void level(int depth, std::int64_t offset, int indent) {
    if (depth == shape.size()) return element(values[offset]);
    out += '[';
    const std::int64_t n = shape[depth];
    const bool cut = summarise && n > 2 * kEdgeItems;
    for (std::int64_t i = 0; i < n; ++i) {
      if (cut && i == kEdgeItems) {
        out += depth + 1 == shape.size() ? "..., " : fmt::format("...,\n{:{}}", "", indent + 1);
        i = n - kEdgeItems;
      }
      level(depth + 1, offset + i * strides[depth], indent + 1);
      if (i + 1 < n) out += depth + 1 == shape.size() ? ", " : fmt::format(",\n{:{}}", "", indent + 1);
    }
    out += ']';
  }
};

}  // namespace

std::string to_string(const Tensor& tensor) {
  if (!tensor.defined()) return "tensor(undefined)";
  Printer printer;
  printer.values = tensor.to_vector();
  printer.shape = tensor.shape();
  printer.strides = contiguous_strides(tensor.shape());
  printer.summarise = tensor.numel() > kSummariseAbove;
  for (double v : printer.values)
    if (!std::isfinite(v) || v != std::round(v) || std::abs(v) >= 1e9) printer.integral = false;
  printer.out = "tensor(";
  printer.level(0, 0, 7);
  fmt::format_to(std::back_inserter(printer.out), ", shape={}, dtype={}", tensor.shape(), dtype_name(tensor.dtype()));
  if (*tensor.op_name())
    fmt::format_to(std::back_inserter(printer.out), ", grad_fn=<{}>", tensor.op_name());
  else if (tensor.requires_grad())
    printer.out += ", requires_grad=true";
  printer.out += ')';
  return printer.out;
}

std::ostream& operator<<(std::ostream& out, const Tensor& tensor) { return out << to_string(tensor); }

}  // namespace ag
