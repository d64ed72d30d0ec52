#include <autograd/shape.hpp>

#include <algorithm>
#include <limits>

namespace ag {

void Shape::insert(int index, std::int64_t dim) {
  if (ndim_ == kMaxDims) fail("Shape: more than {} dimensions are not supported", kMaxDims);
  for (int i = ndim_; i > index; --i) dims_[i] = dims_[i - 1];
  dims_[index] = dim;
  ++ndim_;
}

void Shape::erase(int index) {
  for (int i = index; i + 1 < ndim_; ++i) dims_[i] = dims_[i + 1];
  --ndim_;
}

std::int64_t Shape::numel_on_overflow() const {
  if (std::find(begin(), end(), 0) != end()) return 0;
  fail("Shape: {} has more elements than an int64 can count (at most {})", *this,
       std::numeric_limits<std::int64_t>::max());
}

std::array<std::int64_t, kMaxDims> contiguous_strides(const Shape& shape) {
  std::array<std::int64_t, kMaxDims> strides{};
  std::int64_t stride = 1;
  for (int i = shape.size() - 1; i >= 0; --i) {
    strides[i] = stride;
    stride *= shape[i];
  }
  return strides;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const int ndim = std::max(a.size(), b.size());
  Shape out;
  for (int i = 0; i < ndim; ++i) {
    const int ia = i - (ndim - a.size());
    const int ib = i - (ndim - b.size());
    const std::int64_t da = ia >= 0 ? a[ia] : 1;
    const std::int64_t db = ib >= 0 ? b[ib] : 1;
    if (da != db && da != 1 && db != 1)
      fail("{}: shapes {} and {} cannot be broadcast together (dimension {}: {} vs {})", op, a, b, i, da, db);
    out.push_back(da == 1 ? db : da);
  }
  return out;
}

int normalize_dim(std::int64_t dim, int ndim, const char* op) {
  const int range = std::max(ndim, 1);  // a 0-d tensor accepts dim 0 and -1, as in PyTorch
  if (dim < -range || dim >= range)
    fail("{}: dim {} is out of range for a tensor with {} dimensions (expected [{}, {}])", op, dim, ndim, -range,
         range - 1);
  return static_cast<int>(dim < 0 ? dim + range : dim);
}

int normalize_new_dim(std::int64_t dim, int ndim, const char* op) {
  if (dim < -(ndim + 1) || dim > ndim)
    fail("{}: dim {} is out of range for a new dimension of a tensor with {} dimensions (expected [{}, {}])", op, dim,
         ndim, -(ndim + 1), ndim);
  return static_cast<int>(dim < 0 ? dim + ndim + 1 : dim);
}

}  // namespace ag
