#include <nn/conv.hpp>
#include <nn/init.hpp>

#include <autograd/creation.hpp>
#include <autograd/ops/convolution.hpp>

#include <cmath>
#include <vector>

namespace ag::nn {

template <std::size_t D>
ConvNd<D>::ConvNd(ConvOptions<D> options) : options_(options) {
  const char* layer = D == 1 ? "Conv1d" : "Conv2d";
  const std::int64_t in = options.in_channels();
  const std::int64_t out = options.out_channels();
  const std::int64_t groups = options.groups();
  if (in < 1 || out < 1) fail("{}: in_channels ({}) and out_channels ({}) must be at least 1", layer, in, out);
  if (groups < 1 || in % groups != 0 || out % groups != 0)
    fail("{}: groups = {} must be at least 1 and divide in_channels ({}) and out_channels ({})", layer, groups, in,
         out);
  for (std::size_t d = 0; d < D; ++d) {
    if (options.kernel_size()[d] < 1) fail("{}: kernel_size must be at least 1, got {}", layer, options.kernel_size());
    if (options.stride()[d] < 1) fail("{}: stride must be at least 1, got {}", layer, options.stride());
    if (options.dilation()[d] < 1) fail("{}: dilation must be at least 1, got {}", layer, options.dilation());
    if (options.padding()[d] < 0) fail("{}: padding must not be negative, got {}", layer, options.padding());
  }
  std::vector<std::int64_t> weight_shape = {out, in / groups};
  for (std::int64_t k : options.kernel_size().values()) weight_shape.push_back(k);
  weight = register_parameter("weight", empty(Shape(weight_shape), options.dtype()));
  if (options.bias()) bias = register_parameter("bias", empty({out}, options.dtype()));
  reset_parameters();
}

template <std::size_t D>
void ConvNd<D>::reset_parameters() {
  // PyTorch's _ConvNd.reset_parameters: kaiming_uniform_ with a = sqrt(5) makes the weight bound 1/sqrt(fan_in).
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(init::fans(weight).in));
    init::uniform_(bias, -bound, bound);
  }
}

template <std::size_t D>
std::string ConvNd<D>::extra_repr() const {
  // As PyTorch's: the settings that differ from their defaults are shown.
  const auto& o = options_;
  std::string text =
      fmt::format("{}, {}, kernel_size={}, stride={}", o.in_channels(), o.out_channels(), o.kernel_size(), o.stride());
  if (o.padding() != ExpandingArray<D>(0)) text += fmt::format(", padding={}", o.padding());
  if (o.dilation() != ExpandingArray<D>(1)) text += fmt::format(", dilation={}", o.dilation());
  if (o.groups() != 1) text += fmt::format(", groups={}", o.groups());
  if (!o.bias()) text += ", bias=false";
  return text;
}

template class ConvNd<1>;
template class ConvNd<2>;

Tensor Conv1d::forward(const Tensor& input) {
  return conv1d(input, weight, bias, options_.stride(), options_.padding(), options_.dilation(), options_.groups());
}

Tensor Conv2d::forward(const Tensor& input) {
  return conv2d(input, weight, bias, options_.stride(), options_.padding(), options_.dilation(), options_.groups());
}

}  // namespace ag::nn
