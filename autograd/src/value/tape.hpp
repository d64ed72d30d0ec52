#pragma once

// The per-thread tape behind ag::Value: op results are bump-allocated in chunks, in creation order, so that
// backward() can walk them newest first. Chunks are aligned to their size, so a node finds its chunk by masking
// its address.

#include <autograd/value.hpp>

#include <cstddef>
#include <cstdint>

namespace ag::detail {

#ifdef AG_NO_POOL
// Sanitizer builds: one node per chunk, and no spare chunks, so every freed node goes back to malloc and a use
// after free is caught.
inline constexpr std::size_t kChunkBytes = 128;
#else
inline constexpr std::size_t kChunkBytes = std::size_t{64} << 10;
#endif

struct Tape;

struct Chunk {
  Tape* tape;    // null once its thread ended; the chunk is then freed with its last node
  Chunk* older;  // the tape's chunks in use, in creation order
  Chunk* newer;
  std::uint32_t used;  // nodes handed out
  std::uint32_t live;  // of those, not freed yet

  static constexpr std::size_t kHeaderBytes = (sizeof(Tape*) + 2 * sizeof(Chunk*) + 8 + 15) / 16 * 16;
  static constexpr std::uint32_t kCapacity = (kChunkBytes - kHeaderBytes) / sizeof(ValueNode);

  ValueNode* nodes() { return reinterpret_cast<ValueNode*>(reinterpret_cast<std::byte*>(this) + kHeaderBytes); }
  static Chunk* of(const ValueNode* node) {
    return reinterpret_cast<Chunk*>(reinterpret_cast<std::uintptr_t>(node) & ~(kChunkBytes - 1));
  }
};
static_assert(Chunk::kCapacity >= 1);

struct Tape {
  Chunk* newest;  // the chunk being filled; null before the first op on this thread
  Chunk* spares;  // empty chunks kept for reuse, linked through `older`
  std::int64_t spare_count;
  std::int64_t chunks_in_use;
  std::int64_t nodes_recorded;
  std::uint32_t id;  // nonzero once the tape has its first chunk
};

// Plain data, so that the hot path reads it without a thread_local initialisation check.
extern constinit thread_local Tape tape;

// Makes `tape.newest` a chunk with room; the slow path of allocate_node.
void start_chunk();

inline ValueNode* allocate_node() {
  Chunk* chunk = tape.newest;
  if (!chunk || chunk->used == Chunk::kCapacity) [[unlikely]] {
    start_chunk();
    chunk = tape.newest;
  }
  ++chunk->live;
  ++tape.nodes_recorded;
  return chunk->nodes() + chunk->used++;
}

}  // namespace ag::detail
