// The method forms of the ops, for PyTorch-style code (x.pow(2).sum()); each forwards to its free function.

#include <autograd/ops/conversion.hpp>
#include <autograd/ops/elementwise.hpp>
#include <autograd/ops/linalg.hpp>
#include <autograd/ops/reduction.hpp>
#include <autograd/ops/shape_ops.hpp>
#include <autograd/ops/softmax.hpp>

namespace ag {

Tensor Tensor::operator[](std::int64_t i) const { return index(*this, i); }
Tensor Tensor::pow(double exponent) const { return ag::pow(*this, exponent); }
Tensor Tensor::pow(const Tensor& exponent) const { return ag::pow(*this, exponent); }
Tensor Tensor::exp() const { return ag::exp(*this); }
Tensor Tensor::log() const { return ag::log(*this); }
Tensor Tensor::sqrt() const { return ag::sqrt(*this); }
Tensor Tensor::abs() const { return ag::abs(*this); }
Tensor Tensor::sigmoid() const { return ag::sigmoid(*this); }
Tensor Tensor::tanh() const { return ag::tanh(*this); }
Tensor Tensor::relu() const { return ag::relu(*this); }
Tensor Tensor::clamp(double min, double max) const { return ag::clamp(*this, min, max); }
Tensor Tensor::sum() const { return ag::sum(*this); }
Tensor Tensor::sum(const std::vector<std::int64_t>& dims, bool keepdim) const { return ag::sum(*this, dims, keepdim); }
Tensor Tensor::mean() const { return ag::mean(*this); }
Tensor Tensor::mean(const std::vector<std::int64_t>& dims, bool keepdim) const {
  return ag::mean(*this, dims, keepdim);
}
Tensor Tensor::max() const { return ag::max(*this); }
Tensor Tensor::max(const std::vector<std::int64_t>& dims, bool keepdim) const { return ag::max(*this, dims, keepdim); }
Tensor Tensor::argmax() const { return ag::argmax(*this); }
Tensor Tensor::argmax(std::int64_t dim, bool keepdim) const { return ag::argmax(*this, dim, keepdim); }
Tensor Tensor::dot(const Tensor& other) const { return ag::dot(*this, other); }
Tensor Tensor::matmul(const Tensor& other) const { return ag::matmul(*this, other); }
Tensor Tensor::reshape(const std::vector<std::int64_t>& shape) const { return ag::reshape(*this, shape); }
Tensor Tensor::view(const std::vector<std::int64_t>& shape) const { return ag::view(*this, shape); }
Tensor Tensor::transpose(std::int64_t dim0, std::int64_t dim1) const { return ag::transpose(*this, dim0, dim1); }
Tensor Tensor::t() const {
  if (dim() > 2) fail("t: expects a tensor with at most 2 dimensions, got shape {}", shape());
  return dim() < 2 ? *this : ag::transpose(*this, 0, 1);
}
Tensor Tensor::permute(const std::vector<std::int64_t>& dims) const { return ag::permute(*this, dims); }
Tensor Tensor::squeeze() const { return ag::squeeze(*this); }
Tensor Tensor::squeeze(std::int64_t dim) const { return ag::squeeze(*this, dim); }
Tensor Tensor::unsqueeze(std::int64_t dim) const { return ag::unsqueeze(*this, dim); }
Tensor Tensor::expand(const std::vector<std::int64_t>& shape) const { return ag::expand(*this, shape); }
Tensor Tensor::slice(std::int64_t dim, std::int64_t start, std::int64_t end) const {
  return ag::slice(*this, dim, start, end);
}
Tensor Tensor::softmax(std::int64_t dim) const { return ag::softmax(*this, dim); }
Tensor Tensor::log_softmax(std::int64_t dim) const { return ag::log_softmax(*this, dim); }
Tensor Tensor::clone() const { return ag::clone(*this); }
Tensor Tensor::to(DType dtype) const { return ag::to_dtype(*this, dtype); }

}  // namespace ag
