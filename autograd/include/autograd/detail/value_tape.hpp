#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

// The per-thread tape behind ag::Value (autograd/value.hpp), inline so that an op costs no call: op results are
// bump-allocated in chunks, in creation order, so that backward() can walk them newest first. Chunks are aligned to
// their size, so a node finds its chunk by masking its address. The rest lives in autograd/src/value/.

#include <cstddef>
#include <cstdint>

namespace ag::detail {

// One number on the graph: a leaf, or an op's result on its thread's tape.
struct ValueNode {
  double data;
  double grad;
  union {
    double pending;           // during backward(): the gradient that reached this node so far
    ValueNode* next_to_free;  // during a teardown: the nodes waiting to be freed
  };
  ValueNode* inputs[2];  // null where the op has fewer
  double partials[2];    // d data / d inputs[i], from the forward pass
  const char* op;        // "" for leaves
  std::uint32_t refcount;
  std::uint32_t owner : 30;   // the id of the thread (of its tape) that made the node
  std::uint32_t leaf : 1;     // made by Value(double): off the tape, no inputs
  std::uint32_t reached : 1;  // during backward(): a gradient arrived that was not sent on yet
};

// Frees a node whose last reference went away, and the inputs that only it held; iterative for deep graphs.
void release(ValueNode* node) noexcept;

#ifdef AG_NO_POOL
// Sanitizer builds: one node per chunk, and no spare chunks, so every freed node goes back to malloc and a use
// after free is caught.
inline constexpr std::size_t kChunkBytes = 128;
#else
inline constexpr std::size_t kChunkBytes = std::size_t{64} << 10;
#endif

struct Tape;
struct ValueTraceData;

struct Chunk {
  Tape* tape;    // null once its thread ended; the chunk is then freed with its last node
  Chunk* older;  // the tape's chunks in use, in creation order
  Chunk* newer;
  std::uint32_t used;   // nodes handed out
  std::uint32_t freed;  // of those, freed already; the chunk is empty when it reaches `used`

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
  std::uint32_t id;           // nonzero once this thread made its first Value
  ValueTraceData* recording;  // the trace recording this thread's ops (ag::trace_values), or null
};

// Plain data, so that the hot path reads it without a thread_local initialisation check.
extern constinit thread_local Tape tape;

// Makes `tape.newest` a chunk with room; the slow path of allocate_node.
void start_chunk();
// This thread's id for the nodes it makes, assigned on first use.
std::uint32_t tape_id();

inline ValueNode* allocate_node() {
  Chunk* chunk = tape.newest;
  if (!chunk || chunk->used == Chunk::kCapacity) [[unlikely]] {
    start_chunk();
    chunk = tape.newest;
  }
  ++tape.nodes_recorded;
  return chunk->nodes() + chunk->used++;
}

inline ValueNode* new_result(const char* op, double data) {
  ValueNode* node = allocate_node();
  node->data = data;
  node->grad = 0.0;
  node->pending = 0.0;
  node->inputs[0] = nullptr;
  node->inputs[1] = nullptr;
  node->op = op;
  node->refcount = 1;
  node->owner = tape.id;
  node->leaf = 0;
  node->reached = 0;
  return node;
}

}  // namespace ag::detail

#pragma GCC visibility pop
