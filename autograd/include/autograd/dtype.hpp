#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ag {

/// The element types a tensor can hold. Adding one here is a compile error at every `switch` over DType (they
/// have no default, and -Wswitch is on) until each site handles it, and tests/autograd/test_dtype.cpp runs every
/// dtype-generic op on every entry of kAllDTypes.
enum class DType : std::uint8_t {
  Float32,  ///< 32-bit float (C++ float), the default for floating-point tensors.
  Float64,  ///< 64-bit float (C++ double).
  Int64,    ///< 64-bit signed integer (std::int64_t), for indices and counts; cannot require grad.
  Bool      ///< true or false (C++ bool), the result of comparisons; cannot require grad.
};

inline constexpr DType kFloat32 = DType::Float32;  ///< Short for DType::Float32, as torch::kFloat32.
inline constexpr DType kFloat64 = DType::Float64;  ///< Short for DType::Float64, as torch::kFloat64.
inline constexpr DType kInt64 = DType::Int64;      ///< Short for DType::Int64, as torch::kInt64.
inline constexpr DType kBool = DType::Bool;        ///< Short for DType::Bool, as torch::kBool.

/// Every dtype, for tests and loops that must cover them all.
inline constexpr std::array kAllDTypes{DType::Float32, DType::Float64, DType::Int64, DType::Bool};
static_assert(static_cast<std::size_t>(DType::Bool) + 1 == kAllDTypes.size(), "list every dtype in kAllDTypes");

/// The name used in messages and printing: "float32", "float64", "int64" or "bool".
constexpr std::string_view dtype_name(DType dtype) {
  switch (dtype) {
    case DType::Float32:
      return "float32";
    case DType::Float64:
      return "float64";
    case DType::Int64:
      return "int64";
    case DType::Bool:
      return "bool";
  }
  return "invalid dtype";
}

/// The bytes one element of `dtype` takes.
constexpr std::size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::Float32:
      return 4;
    case DType::Float64:
      return 8;
    case DType::Int64:
      return 8;
    case DType::Bool:
      return 1;
  }
  return 0;
}

/// Whether `dtype` is float32 or float64: the dtypes that can require grad.
constexpr bool is_floating_point(DType dtype) {
  switch (dtype) {
    case DType::Float32:
    case DType::Float64:
      return true;
    case DType::Int64:
    case DType::Bool:
      return false;
  }
  return false;
}

/// The dtype whose elements are the C++ type T: float, double, std::int64_t or bool (no other T has a
/// definition).
template <class T>
constexpr DType dtype_of();
/// float is DType::Float32.
template <>
constexpr DType dtype_of<float>() {
  return DType::Float32;
}
/// double is DType::Float64.
template <>
constexpr DType dtype_of<double>() {
  return DType::Float64;
}
/// std::int64_t is DType::Int64.
template <>
constexpr DType dtype_of<std::int64_t>() {
  return DType::Int64;
}
/// bool is DType::Bool.
template <>
constexpr DType dtype_of<bool>() {
  return DType::Bool;
}

/// The dtype of floating-point tensors created without an explicit one (float32 unless changed, as in PyTorch).
DType default_dtype();
/// Changes default_dtype() for the whole process. Only float32 and float64 can be the default; anything else throws
/// ag::Error.
void set_default_dtype(DType dtype);

/// The dtype of a binary op's result, as PyTorch's type promotion for the pairs supported here: bool < int64 <
/// floating point; a 0-d tensor does not widen a dimensioned one of the same kind. float32 with float64 (both
/// dimensioned, or both 0-d) has no result (std::nullopt): the ops refuse it with "dtype mismatch ... convert one
/// with .to()", since a silent upcast of a float32 model to float64 would halve its speed.
std::optional<DType> promote_types(DType a, bool a_is_0d, DType b, bool b_is_0d);

/// Throws ag::Error saying that `op` does not support `dtype`, only the dtypes that `supported` lists.
[[noreturn]] void fail_unsupported_dtype(const char* op, DType dtype, std::string_view supported);
/// Throws ag::Error for a value outside the DType enumerators (memory corruption, or a cast from an unchecked
/// integer).
[[noreturn]] void fail_invalid_dtype(DType dtype);

/// Calls f with a value of the C++ type that holds `dtype`'s elements, and returns what f returns. It covers
/// every dtype (float32, float64, int64, bool):
/// @code
/// dispatch(t.dtype(), [&]<class T>(T) { ... });
/// @endcode
/// Throws ag::Error for an invalid DType value.
template <class F>
decltype(auto) dispatch(DType dtype, F&& f) {
  switch (dtype) {
    case DType::Float32:
      return f(float{});
    case DType::Float64:
      return f(double{});
    case DType::Int64:
      return f(std::int64_t{});
    case DType::Bool:
      return f(bool{});
  }
  fail_invalid_dtype(dtype);
}

/// As dispatch, for float32 and float64 only; another dtype throws ag::Error naming `op` and the dtype.
template <class F>
decltype(auto) dispatch_floating(DType dtype, const char* op, F&& f) {
  switch (dtype) {
    case DType::Float32:
      return f(float{});
    case DType::Float64:
      return f(double{});
    case DType::Int64:
    case DType::Bool:
      fail_unsupported_dtype(op, dtype, "float32 or float64");
  }
  fail_invalid_dtype(dtype);
}

/// As dispatch, for the numbers one can do arithmetic on: float32, float64 and int64; bool throws ag::Error naming
/// `op`.
template <class F>
decltype(auto) dispatch_numeric(DType dtype, const char* op, F&& f) {
  switch (dtype) {
    case DType::Float32:
      return f(float{});
    case DType::Float64:
      return f(double{});
    case DType::Int64:
      return f(std::int64_t{});
    case DType::Bool:
      fail_unsupported_dtype(op, dtype, "float32, float64 or int64");
  }
  fail_invalid_dtype(dtype);
}

}  // namespace ag

#pragma GCC visibility pop
