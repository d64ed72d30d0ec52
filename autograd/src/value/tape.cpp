#include <autograd/value.hpp>

#include <autograd/detail/pool.hpp>

#include <atomic>
#include <new>
#include <utility>

namespace ag::detail {

constinit thread_local Tape tape{};

namespace {

#ifdef AG_NO_POOL
constexpr bool kReuseChunks = false;
#else
constexpr bool kReuseChunks = true;
#endif
// Enough for a step of a few hundred thousand ops; emptier chunks beyond it go back to malloc.
constexpr std::int64_t kSpareChunks = kReuseChunks ? (std::int64_t{8} << 20) / kChunkBytes : 0;

std::atomic<std::uint32_t> next_tape_id{0};

Chunk* new_chunk() { return static_cast<Chunk*>(::operator new (kChunkBytes, std::align_val_t{kChunkBytes})); }
void delete_chunk(Chunk* chunk) { ::operator delete (chunk, std::align_val_t{kChunkBytes}); }

// When the thread ends: spare chunks go back to malloc; chunks that still hold nodes are left to their last node.
struct TapeReleaser {
  ~TapeReleaser() {
    for (Chunk* chunk = tape.newest; chunk;) {
      Chunk* older = chunk->older;
      if (chunk->freed == chunk->used)
        delete_chunk(chunk);
      else
        chunk->tape = nullptr;
      chunk = older;
    }
    while (tape.spares) delete_chunk(std::exchange(tape.spares, tape.spares->older));
    tape = Tape{};
  }
};
thread_local TapeReleaser releaser;

void unlink(Tape& owner, Chunk* chunk) {
  if (chunk->newer)
    chunk->newer->older = chunk->older;
  else
    owner.newest = chunk->older;
  if (chunk->older) chunk->older->newer = chunk->newer;
  --owner.chunks_in_use;
}

void free_tape_node(ValueNode* node) {
  Chunk* chunk = Chunk::of(node);
  if (++chunk->freed != chunk->used) return;
  Tape* owner = chunk->tape;
  if (!owner) return delete_chunk(chunk);
  if (kReuseChunks && chunk == owner->newest) {
    chunk->used = 0;  // the chunk being filled starts over: the memory the next ops touch stays in cache
    chunk->freed = 0;
    return;
  }
  unlink(*owner, chunk);
  if (owner->spare_count < kSpareChunks) {
    chunk->older = owner->spares;
    owner->spares = chunk;
    ++owner->spare_count;
  } else {
    delete_chunk(chunk);
  }
}

}  // namespace

std::uint32_t tape_id() {
  // Ids fit the node's 30-bit owner field and are never 0; after 2^30 - 1 threads they repeat.
  constexpr std::uint32_t kIds = (std::uint32_t{1} << 30) - 1;
  if (tape.id == 0) tape.id = next_tape_id.fetch_add(1, std::memory_order_relaxed) % kIds + 1;
  return tape.id;
}

void start_chunk() {
  (void)&releaser;  // makes sure this thread's tape is released when it ends
  tape_id();
  Chunk* chunk = tape.spares;
  if (chunk) {
    tape.spares = chunk->older;
    --tape.spare_count;
  } else {
    chunk = new_chunk();
  }
  chunk->tape = &tape;
  chunk->used = 0;
  chunk->freed = 0;
  chunk->older = tape.newest;
  chunk->newer = nullptr;
  if (tape.newest) tape.newest->newer = chunk;
  tape.newest = chunk;
  ++tape.chunks_in_use;
}

void release(ValueNode* node) noexcept {
  node->next_to_free = nullptr;
  while (node) {
    ValueNode* next = node->next_to_free;
    for (ValueNode* input : node->inputs)
      if (input && --input->refcount == 0) {
        input->next_to_free = next;
        next = input;
      }
    if (node->leaf)
      pool_free(node, sizeof(ValueNode));
    else
      free_tape_node(node);
    node = next;
  }
}

ValueTapeStats value_tape_stats() {
  ValueTapeStats stats{tape.chunks_in_use, tape.spare_count, 0, tape.nodes_recorded};
  for (const Chunk* chunk = tape.newest; chunk; chunk = chunk->older) stats.live_nodes += chunk->used - chunk->freed;
  return stats;
}

}  // namespace ag::detail
