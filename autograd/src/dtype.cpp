#include <autograd/dtype.hpp>

#include <atomic>

namespace ag {
namespace {
std::atomic<DType> global_default_dtype{DType::Float32};
}

DType default_dtype() { return global_default_dtype.load(std::memory_order_relaxed); }
void set_default_dtype(DType dtype) { global_default_dtype.store(dtype, std::memory_order_relaxed); }

}  // namespace ag
