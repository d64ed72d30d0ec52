#include <nn/optim/cpu_capability.hpp>

#include "optim/fused_loop.hpp"

#include <cstdlib>
#include <string_view>

namespace ag::optim {

namespace {

CpuCapability best_supported() {
  if (cpu_supports(CpuCapability::Avx512)) return CpuCapability::Avx512;
  if (cpu_supports(CpuCapability::Avx2)) return CpuCapability::Avx2;
  return CpuCapability::Default;
}

// The best capability, or the one AG_CPU_CAPABILITY asks for where the CPU has it.
CpuCapability initial_capability() {
  const char* requested = std::getenv("AG_CPU_CAPABILITY");
  if (requested == nullptr) return best_supported();
  for (const CpuCapability capability : {CpuCapability::Default, CpuCapability::Avx2, CpuCapability::Avx512})
    if (std::string_view(requested) == cpu_capability_name(capability) && cpu_supports(capability)) return capability;
  return best_supported();
}

}  // namespace

const char* cpu_capability_name(CpuCapability capability) {
  switch (capability) {
    case CpuCapability::Default:
      return "default";
    case CpuCapability::Avx2:
      return "avx2";
    case CpuCapability::Avx512:
      return "avx512";
  }
  fail("cpu_capability_name: invalid capability {}", static_cast<int>(capability));
}

bool cpu_supports(CpuCapability capability) {
  switch (capability) {
    case CpuCapability::Default:
      return true;
#if AG_OPTIM_X86_CLONES
    case CpuCapability::Avx2:
      return __builtin_cpu_supports("avx2");
    case CpuCapability::Avx512:
      return __builtin_cpu_supports("avx512f");
#else
    case CpuCapability::Avx2:
    case CpuCapability::Avx512:
      return false;
#endif
  }
  return false;
}

CpuCapability cpu_capability() { return detail::loop_capability(); }

void set_cpu_capability(CpuCapability capability) {
  if (!cpu_supports(capability))
    fail("set_cpu_capability: this CPU does not support {} (the best it supports is {})",
         cpu_capability_name(capability), cpu_capability_name(best_supported()));
  detail::loop_capability_slot().store(capability, std::memory_order_relaxed);
}

namespace detail {

std::atomic<CpuCapability>& loop_capability_slot() {
  static std::atomic<CpuCapability> capability{initial_capability()};
  return capability;
}

}  // namespace detail

}  // namespace ag::optim
