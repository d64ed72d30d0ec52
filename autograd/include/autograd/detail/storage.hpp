#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <cstddef>
#include <cstdint>

namespace ag::detail {

// A reference-counted buffer; header and data share one pooled block. Reshaped and detached tensors share it.
struct Storage {
  std::uint32_t refcount = 1;
  // Counts in-place writes. A recorded op saves it with each input, so that its backward can refuse values
  // that changed since the forward (PyTorch's version counter).
  std::uint32_t version = 0;
  std::size_t nbytes = 0;

  static Storage* allocate(std::size_t nbytes);
  void retain() noexcept { ++refcount; }
  void release() noexcept {
    if (--refcount == 0) free();
  }
  std::byte* data() noexcept { return reinterpret_cast<std::byte*>(this) + kHeaderBytes; }

  static constexpr std::size_t kHeaderBytes = 16;  // keeps the data 16-byte aligned, as malloc does

 private:
  void free() noexcept;
};

}  // namespace ag::detail

#pragma GCC visibility pop
