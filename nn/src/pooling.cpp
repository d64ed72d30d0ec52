#include <nn/pooling.hpp>

#include <autograd/ops/pooling.hpp>

namespace ag::nn {

namespace {

// Throws ag::Error naming the layer unless the window settings can pool some input.
void check_window_settings(const char* layer, const ExpandingArray<2>& kernel, const ExpandingArray<2>& stride,
                           const ExpandingArray<2>& padding, const ExpandingArray<2>& dilation) {
  for (std::size_t d = 0; d < 2; ++d) {
    if (kernel[d] < 1) fail("{}: kernel_size must be at least 1, got {}", layer, kernel);
    if (stride[d] < 1) fail("{}: stride must be at least 1, got {}", layer, stride);
    if (dilation[d] < 1) fail("{}: dilation must be at least 1, got {}", layer, dilation);
    if (padding[d] < 0 || padding[d] > kernel[d] / 2)
      fail("{}: padding must be between 0 and half the kernel size, got padding {} for kernel_size {}", layer, padding,
           kernel);
  }
}

}  // namespace

MaxPool2d::MaxPool2d(MaxPool2dOptions options) : options_(options) {
  check_window_settings("MaxPool2d", options.kernel_size(), options.stride(), options.padding(), options.dilation());
}

Tensor MaxPool2d::forward(const Tensor& input) {
  const auto& o = options_;
  return max_pool2d(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode());
}

std::string MaxPool2d::extra_repr() const {
  const auto& o = options_;
  return fmt::format("kernel_size={}, stride={}, padding={}, dilation={}, ceil_mode={}", o.kernel_size(), o.stride(),
                     o.padding(), o.dilation(), o.ceil_mode());
}

AvgPool2d::AvgPool2d(AvgPool2dOptions options) : options_(options) {
  check_window_settings("AvgPool2d", options.kernel_size(), options.stride(), options.padding(), 1);
}

Tensor AvgPool2d::forward(const Tensor& input) {
  const auto& o = options_;
  return avg_pool2d(input, o.kernel_size(), o.stride(), o.padding(), o.ceil_mode(), o.count_include_pad());
}

std::string AvgPool2d::extra_repr() const {
  const auto& o = options_;
  return fmt::format("kernel_size={}, stride={}, padding={}, ceil_mode={}, count_include_pad={}", o.kernel_size(),
                     o.stride(), o.padding(), o.ceil_mode(), o.count_include_pad());
}

AdaptiveAvgPool2d::AdaptiveAvgPool2d(AdaptiveAvgPool2dOptions options) : options_(options) {
  if (options.output_size()[0] < 1 || options.output_size()[1] < 1)
    fail("AdaptiveAvgPool2d: output_size must be at least 1, got {}", options.output_size());
}

Tensor AdaptiveAvgPool2d::forward(const Tensor& input) { return adaptive_avg_pool2d(input, options_.output_size()); }

std::string AdaptiveAvgPool2d::extra_repr() const { return fmt::format("output_size={}", options_.output_size()); }

}  // namespace ag::nn
