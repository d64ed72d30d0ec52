#include <autograd/dtype.hpp>
#include <autograd/error.hpp>

#include <atomic>

namespace ag {
namespace {
std::atomic<DType> global_default_dtype{DType::Float32};

// bool < int64 < floating point.
int category(DType dtype) {
  switch (dtype) {
    case DType::Bool:
      return 0;
    case DType::Int64:
      return 1;
    case DType::Float32:
    case DType::Float64:
      return 2;
  }
  fail_invalid_dtype(dtype);
}
}  // namespace

DType default_dtype() { return global_default_dtype.load(std::memory_order_relaxed); }

void set_default_dtype(DType dtype) {
  if (!is_floating_point(dtype))
    fail("set_default_dtype: the default dtype must be float32 or float64, got {}", dtype_name(dtype));
  global_default_dtype.store(dtype, std::memory_order_relaxed);
}

std::optional<DType> promote_types(DType a, bool a_is_0d, DType b, bool b_is_0d) {
  if (a == b) return a;
  if (category(a) != category(b)) return category(a) > category(b) ? a : b;
  if (a_is_0d != b_is_0d) return a_is_0d ? b : a;  // float32 tensor * float64 0-d stays float32, as in PyTorch
  return std::nullopt;
}

void fail_unsupported_dtype(const char* op, DType dtype, std::string_view supported) {
  fail("{}: not supported for dtype {} (expected {}); convert with .to()", op, dtype_name(dtype), supported);
}

void fail_invalid_dtype(DType dtype) {
  fail("dtype: invalid dtype value {} (memory corruption, or a cast from an unchecked integer)",
       static_cast<int>(dtype));
}

}  // namespace ag
