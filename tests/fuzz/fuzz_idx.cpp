// libFuzzer target: ag::nn::read_idx on any bytes, plain or gzip-compressed. It must return a tensor that matches
// the header or throw ag::Error; anything else (a crash, a leak, a sanitizer report) is a bug.

#include <nn/idx.hpp>

#include <autograd/error.hpp>

#include <cstdlib>

#include "memory_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::MemoryFile file;
  try {
    const ag::Tensor values = ag::nn::read_idx(file.holding(data, size));
    if (values.dim() < 1) std::abort();  // IDX data always has at least one dimension
  } catch (const ag::Error&) {
  }
  return 0;
}
