#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Sizes given once for every spatial dimension or once per dimension, as LibTorch's ExpandingArray: a kernel size
/// of 3 for a 2-D convolution is {3, 3}.

#include <autograd/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>

namespace ag {

/// D sizes, one per spatial dimension, made from one number (the same in each dimension) or from D numbers.
template <std::size_t D>
class ExpandingArray {
 public:
  // The constructors are implicit, as LibTorch's, so that a size reads `3` or `{3, 2}` where one is expected.

  /// `value` in each of the D dimensions.
  ExpandingArray(std::int64_t value) { values_.fill(value); }
  /// One value per dimension: {3, 2}. Throws ag::Error if `values` does not hold exactly D numbers.
  ExpandingArray(std::initializer_list<std::int64_t> values) {
    if (values.size() != D)
      fail("expected one size or {} (one per spatial dimension), got {}: ({})", D, values.size(),
           fmt::join(values, ", "));
    std::copy(values.begin(), values.end(), values_.begin());
  }
  /// One value per dimension.
  ExpandingArray(const std::array<std::int64_t, D>& values) : values_(values) {}

  /// The value for dimension `i`, which must be below D.
  std::int64_t operator[](std::size_t i) const { return values_[i]; }
  /// All D values.
  const std::array<std::int64_t, D>& values() const { return values_; }
  /// Whether both hold the same values.
  bool operator==(const ExpandingArray& other) const = default;

 private:
  std::array<std::int64_t, D> values_{};
};

}  // namespace ag

/// @cond
// Formats as Python prints a tuple, as PyTorch's reprs show these sizes: "(3, 3)", and "(3,)" for one.
template <std::size_t D>
struct fmt::formatter<ag::ExpandingArray<D>> : fmt::formatter<std::string_view> {
  auto format(const ag::ExpandingArray<D>& sizes, format_context& ctx) const {
    const std::string text =
        D == 1 ? fmt::format("({},)", sizes[0]) : fmt::format("({})", fmt::join(sizes.values(), ", "));
    return fmt::formatter<std::string_view>::format(text, ctx);
  }
};
/// @endcond

#pragma GCC visibility pop
