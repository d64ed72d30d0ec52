#pragma once

#include <autograd/error.hpp>

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>

namespace ag {

// Tensors have at most this many dimensions, so a shape lives inline and never touches the heap.
inline constexpr int kMaxDims = 8;

class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<std::int64_t> dims) : Shape(std::span<const std::int64_t>(dims.begin(), dims.size())) {}
  explicit Shape(std::span<const std::int64_t> dims) {
    if (dims.size() > kMaxDims) fail("Shape: {} dimensions given, at most {} are supported", dims.size(), kMaxDims);
    for (auto d : dims) push_back(d);
  }

  int size() const { return ndim_; }
  bool empty() const { return ndim_ == 0; }
  std::int64_t operator[](int i) const { return dims_[i]; }
  std::int64_t& operator[](int i) { return dims_[i]; }
  const std::int64_t* begin() const { return dims_.data(); }
  const std::int64_t* end() const { return dims_.data() + ndim_; }
  std::int64_t* begin() { return dims_.data(); }
  std::int64_t* end() { return dims_.data() + ndim_; }
  std::int64_t back() const { return dims_[ndim_ - 1]; }

  void push_back(std::int64_t dim) {
    if (ndim_ == kMaxDims) fail("Shape: more than {} dimensions are not supported", kMaxDims);
    if (dim < 0) fail("Shape: dimension sizes must be non-negative, got {}", dim);
    dims_[ndim_++] = dim;
  }
  void insert(int index, std::int64_t dim);
  void erase(int index);

  // The element count; throws ag::Error where it does not fit in int64 (a zero dim makes it 0 whatever the others).
  std::int64_t numel() const {
    std::int64_t n = 1;
    bool overflow = false;
    for (int i = 0; i < ndim_; ++i) overflow |= __builtin_mul_overflow(n, dims_[i], &n);
    if (overflow) [[unlikely]]
      return numel_on_overflow();
    return n;
  }

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

// Row-major element strides of a contiguous tensor of this shape.
std::array<std::int64_t, kMaxDims> contiguous_strides(const Shape& shape);

// NumPy broadcasting; `op` names the operation in the error when the shapes are incompatible.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

// Maps a possibly negative dim into [0, ndim), or throws naming the op.
int normalize_dim(std::int64_t dim, int ndim, const char* op);
// The same for where a new dimension goes (unsqueeze, stack): [0, ndim].
int normalize_new_dim(std::int64_t dim, int ndim, const char* op);

}  // namespace ag

template <>
struct fmt::formatter<ag::Shape> : fmt::formatter<std::string_view> {
  auto format(const ag::Shape& shape, format_context& ctx) const {
    auto out = fmt::format_to(ctx.out(), "[");
    for (int i = 0; i < shape.size(); ++i) out = fmt::format_to(out, "{}{}", i ? ", " : "", shape[i]);
    return fmt::format_to(out, "]");
  }
};
