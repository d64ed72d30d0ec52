#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <autograd/error.hpp>

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>

namespace ag {

/// Tensors have at most this many dimensions, so a shape lives inline and never touches the heap.
inline constexpr int kMaxDims = 8;

/// The size of each dimension of a tensor, outermost first. Printed as "[2, 3]" by fmt.
class Shape {
 public:
  /// No dimensions: the shape of a 0-d tensor, which holds one element.
  Shape() = default;
  /// The given sizes: Shape{2, 3}. Throws ag::Error for more than kMaxDims sizes or a negative one.
  Shape(std::initializer_list<std::int64_t> dims) : Shape(std::span<const std::int64_t>(dims.begin(), dims.size())) {}
  /// The sizes in `dims`. Throws ag::Error for more than kMaxDims sizes or a negative one.
  explicit Shape(std::span<const std::int64_t> dims) {
    if (dims.size() > kMaxDims) fail("Shape: {} dimensions given, at most {} are supported", dims.size(), kMaxDims);
    for (auto d : dims) push_back(d);
  }

  /// The number of dimensions (the element count is numel()).
  int size() const { return ndim_; }
  /// Whether there are no dimensions, as for a 0-d tensor.
  bool empty() const { return ndim_ == 0; }
  /// The size of dimension `i`, in [0, size()); unchecked.
  std::int64_t operator[](int i) const { return dims_[i]; }
  /// The size of dimension `i`, in [0, size()), to change in place; unchecked, and negative sizes are not refused.
  std::int64_t& operator[](int i) { return dims_[i]; }
  /// The first size, for range-for and algorithms.
  const std::int64_t* begin() const { return dims_.data(); }
  /// One past the last size.
  const std::int64_t* end() const { return dims_.data() + ndim_; }
  /// The first size, writable.
  std::int64_t* begin() { return dims_.data(); }
  /// One past the last size, writable.
  std::int64_t* end() { return dims_.data() + ndim_; }
  /// The innermost size; the shape must not be empty.
  std::int64_t back() const { return dims_[ndim_ - 1]; }

  /// Appends an innermost dimension. Throws ag::Error past kMaxDims dimensions or for a negative size.
  void push_back(std::int64_t dim) {
    if (ndim_ == kMaxDims) fail("Shape: more than {} dimensions are not supported", kMaxDims);
    if (dim < 0) fail("Shape: dimension sizes must be non-negative, got {}", dim);
    dims_[ndim_++] = dim;
  }
  /// Inserts a dimension of size `dim` before position `index`, in [0, size()]. Throws ag::Error past kMaxDims
  /// dimensions.
  void insert(int index, std::int64_t dim);
  /// Removes dimension `index`, in [0, size()).
  void erase(int index);

  /// The element count; throws ag::Error where it does not fit in int64 (a zero dim makes it 0 whatever the others).
  std::int64_t numel() const {
    std::int64_t n = 1;
    bool overflow = false;
    for (int i = 0; i < ndim_; ++i) overflow |= __builtin_mul_overflow(n, dims_[i], &n);
    if (overflow) [[unlikely]]
      return numel_on_overflow();
    return n;
  }

  /// Whether both have the same number of dimensions with the same sizes.
  friend bool operator==(const Shape& a, const Shape& b) {
    if (a.ndim_ != b.ndim_) return false;
    for (int i = 0; i < a.ndim_; ++i)
      if (a.dims_[i] != b.dims_[i]) return false;
    return true;
  }

 private:
  std::int64_t numel_on_overflow() const;  // 0 with a zero dim, else throws

  std::array<std::int64_t, kMaxDims> dims_{};
  std::uint8_t ndim_ = 0;
};

/// Row-major element strides of a contiguous tensor of this shape (entries past shape.size() are 0).
std::array<std::int64_t, kMaxDims> contiguous_strides(const Shape& shape);

/// NumPy broadcasting: sizes are matched from the innermost dimension, and a size 1 (or a missing dimension)
/// stretches to the other's. Throws ag::Error, naming `op`, when the shapes are incompatible.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

/// Maps a possibly negative dim into [0, ndim) (-1 is the last), or throws ag::Error naming the op. A 0-d tensor
/// accepts 0 and -1, as in PyTorch.
int normalize_dim(std::int64_t dim, int ndim, const char* op);
/// The same for where a new dimension goes (unsqueeze, stack): maps into [0, ndim], or throws ag::Error naming
/// the op.
int normalize_new_dim(std::int64_t dim, int ndim, const char* op);

}  // namespace ag

/// @cond
template <>
struct fmt::formatter<ag::Shape> : fmt::formatter<std::string_view> {
  auto format(const ag::Shape& shape, format_context& ctx) const {
    auto out = fmt::format_to(ctx.out(), "[");
    for (int i = 0; i < shape.size(); ++i) out = fmt::format_to(out, "{}{}", i ? ", " : "", shape[i]);
    return fmt::format_to(out, "]");
  }
};
/// @endcond

#pragma GCC visibility pop
