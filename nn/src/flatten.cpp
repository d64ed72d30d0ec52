#include <nn/flatten.hpp>

#include <autograd/ops/shape_ops.hpp>

#include <fmt/format.h>

namespace ag::nn {

Tensor Flatten::forward(const Tensor& input) {
  if (input.dim() == 0) return reshape(input, {1});
  const int start = normalize_dim(options_.start_dim(), input.dim(), "Flatten");
  const int end = normalize_dim(options_.end_dim(), input.dim(), "Flatten");
  if (start > end)
    fail("Flatten: start_dim {} comes after end_dim {} for input of shape {}", options_.start_dim(), options_.end_dim(),
         input.shape());
  std::vector<std::int64_t> shape;
  std::int64_t merged = 1;
  for (int d = 0; d < input.dim(); ++d) {
    if (d < start || d > end) {
      shape.push_back(input.shape()[d]);
      continue;
    }
    merged *= input.shape()[d];
    if (d == end) shape.push_back(merged);
  }
  return reshape(input, shape);
}

std::string Flatten::extra_repr() const {
  return fmt::format("start_dim={}, end_dim={}", options_.start_dim(), options_.end_dim());
}

Unflatten::Unflatten(UnflattenOptions options) : options_(std::move(options)) {
  const auto& sizes = options_.sizes();
  if (sizes.empty()) fail("Unflatten: sizes must not be empty (dim {})", options_.dim());
  int inferred = 0;
  for (std::int64_t size : sizes) {
    if (size == -1 && ++inferred == 1) continue;
    if (size < 1)
      fail("Unflatten: sizes must be at least 1, except one -1 to be inferred, got [{}]", fmt::join(sizes, ", "));
  }
}

Tensor Unflatten::forward(const Tensor& input) {
  const int dim = normalize_dim(options_.dim(), input.dim(), "Unflatten");
  const auto& sizes = options_.sizes();
  std::int64_t known = 1;
  bool inferred = false;
  for (std::int64_t size : sizes) {
    if (size == -1)
      inferred = true;
    else
      known *= size;
  }
  const std::int64_t length = input.shape()[dim];
  if (inferred ? known == 0 || length % known != 0 : known != length)
    fail("Unflatten: sizes [{}] do not multiply to dimension {} of input shape {} (size {})", fmt::join(sizes, ", "),
         dim, input.shape(), length);
  std::vector<std::int64_t> shape(input.shape().begin(), input.shape().begin() + dim);
  shape.insert(shape.end(), sizes.begin(), sizes.end());
  shape.insert(shape.end(), input.shape().begin() + dim + 1, input.shape().end());
  return reshape(input, shape);
}

std::string Unflatten::extra_repr() const {
  return fmt::format("dim={}, unflattened_size=({})", options_.dim(), fmt::join(options_.sizes(), ", "));
}

}  // namespace ag::nn
