#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <cstddef>

namespace ag::detail {

// A per-thread cache of freed blocks, by size class: graph nodes, tensor headers and small buffers are
// created and freed once per op, and reusing their memory keeps malloc off the hot path. A block may be
// freed on another thread than the one that allocated it; it then joins that thread's cache.
void* pool_allocate(std::size_t bytes);
void pool_free(void* block, std::size_t bytes) noexcept;

}  // namespace ag::detail

#pragma GCC visibility pop
