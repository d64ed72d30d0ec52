#include <autograd/function.hpp>

#include <cmath>
#include <string>

namespace ag::detail {

namespace {

// Where the first NaN or Inf sits, or -1.
std::int64_t first_non_finite(const Tensor& values) {
  if (!is_floating_point(values.dtype())) return -1;  // integers and bools are always finite
  return dispatch_floating(values.dtype(), "anomaly", [&]<class T>(T) -> std::int64_t {
    const T* data = values.data<T>();
    for (std::int64_t i = 0; i < values.numel(); ++i)
      if (!std::isfinite(data[i])) return i;
    return -1;
  });
}

std::string describe(const Node& node, const Tensor* output) {
  std::string text = fmt::format("op '{}' (#{} in the forward pass", node.name(), node.sequence_nr());
  if (output && !output->label().empty()) text += fmt::format(", result labelled '{}'", output->label());
  text += "), inputs";
  for (std::size_t i = 0; i < node.inputs().size(); ++i) {
    const Tensor& input = node.inputs()[i];
    text += fmt::format("{} {}", i ? "," : "", input.shape());
    if (!input.label().empty()) text += fmt::format(" '{}'", input.label());
  }
  return text;
}

std::string value_text(const Tensor& values, std::int64_t at) {
  return fmt::format("{} at element {}", values.to_vector()[static_cast<std::size_t>(at)], at);
}

}  // namespace

void check_finite_forward(const Node& node, const Tensor& values) {
  if (const std::int64_t at = first_non_finite(values); at >= 0)
    fail("anomaly: the forward of {} produced {} (result shape {})", describe(node, &values), value_text(values, at),
         values.shape());
}

void check_finite_backward(const Node& node, std::size_t input_index, const Tensor& values) {
  if (const std::int64_t at = first_non_finite(values); at >= 0)
    fail("anomaly: the backward of {} produced {} in the gradient for input {}", describe(node, nullptr),
         value_text(values, at), input_index);
}

}  // namespace ag::detail
