#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Which vector instructions the optimisers' update loops run with. Each loop is compiled for the x86-64 baseline
/// (SSE2), AVX2 and AVX-512, without fused multiply-adds, and the best one the CPU supports is chosen at start-up,
/// as PyTorch's ATEN_CPU_CAPABILITY: every path gives bitwise the same values, only faster.

namespace ag::optim {

/// An instruction set the update loops are compiled for, from the baseline up.
enum class CpuCapability {
  Default,  ///< SSE2, which every x86-64 CPU has (the only one on other architectures)
  Avx2,     ///< AVX2: 256-bit vectors
  Avx512,   ///< AVX-512F: 512-bit vectors
};

/// "default", "avx2" or "avx512", as the environment variable AG_CPU_CAPABILITY names them.
const char* cpu_capability_name(CpuCapability capability);
/// Whether this CPU can run the loops compiled for `capability`.
bool cpu_supports(CpuCapability capability);
/// The instruction set the update loops use now: the best the CPU supports, or the one AG_CPU_CAPABILITY names
/// ("default", "avx2", "avx512") if the CPU supports it, read at the first step.
CpuCapability cpu_capability();
/// Makes the update loops use `capability` from now on, for tests and benchmarks that compare the paths. Throws
/// ag::Error if the CPU does not support it.
void set_cpu_capability(CpuCapability capability);

}  // namespace ag::optim

#pragma GCC visibility pop
