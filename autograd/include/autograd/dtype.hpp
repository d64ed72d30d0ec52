#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ag {

enum class DType : std::uint8_t { Float32, Float64 };

inline constexpr DType kFloat32 = DType::Float32;
inline constexpr DType kFloat64 = DType::Float64;

constexpr std::string_view dtype_name(DType dtype) { return dtype == DType::Float32 ? "float32" : "float64"; }
constexpr std::size_t dtype_size(DType dtype) { return dtype == DType::Float32 ? 4 : 8; }

template <class T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() {
  return DType::Float32;
}
template <>
constexpr DType dtype_of<double>() {
  return DType::Float64;
}

// The dtype of tensors created without an explicit one (float32 unless changed, as in PyTorch).
DType default_dtype();
void set_default_dtype(DType dtype);

// Calls f with a value of the C++ type matching `dtype`: dispatch(t.dtype(), [&]<class T>(T) { ... }).
template <class F>
decltype(auto) dispatch(DType dtype, F&& f) {
  if (dtype == DType::Float32) return f(float{});
  return f(double{});
}

}  // namespace ag
