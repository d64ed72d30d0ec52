#pragma once

// The names of the kernels a benchmark ran on, for its RESULT line: the core type OpenBLAS picked for this CPU and
// the instruction set oneDNN allows itself here.

#include <oneapi/dnnl/dnnl.h>

#include <string>

extern "C" char* openblas_get_corename();

namespace bench {

inline std::string openblas_kernel() { return std::string("openblas-") + openblas_get_corename(); }

inline std::string onednn_kernel() {
  const dnnl_version_t* version = dnnl_version();
  std::string isa;
  switch (dnnl_get_effective_cpu_isa()) {
    case dnnl_cpu_isa_sse41:
      isa = "sse41";
      break;
    case dnnl_cpu_isa_avx:
      isa = "avx";
      break;
    case dnnl_cpu_isa_avx2:
      isa = "avx2";
      break;
    case dnnl_cpu_isa_avx2_vnni:
      isa = "avx2_vnni";
      break;
    case dnnl_cpu_isa_avx512_core:
      isa = "avx512_core";
      break;
    case dnnl_cpu_isa_avx512_core_vnni:
      isa = "avx512_core_vnni";
      break;
    case dnnl_cpu_isa_avx512_core_bf16:
      isa = "avx512_core_bf16";
      break;
    case dnnl_cpu_isa_avx512_core_amx:
      isa = "avx512_core_amx";
      break;
    default:
      isa = "other";
      break;
  }
  return "onednn-" + std::to_string(version->major) + "." + std::to_string(version->minor) + "-" + isa;
}

}  // namespace bench
