#include <autograd/detail/pool.hpp>

#include <array>
#include <new>
#include <utility>

namespace ag::detail {
namespace {

// Size classes: multiples of 16 bytes up to 1 KiB, then powers of two up to 1 MiB; larger blocks skip the pool.
constexpr std::size_t kSmallStep = 16;
constexpr std::size_t kSmallLimit = 1024;
constexpr std::size_t kLargeLimit = std::size_t{1} << 20;
constexpr int kSmallClasses = kSmallLimit / kSmallStep;
constexpr int kLargeClasses = 10;  // 2 KiB .. 1 MiB
constexpr int kClasses = kSmallClasses + kLargeClasses;
constexpr std::size_t kCachedBytesPerClass = std::size_t{8} << 20;

int size_class(std::size_t bytes) {
  if (bytes <= kSmallLimit) return static_cast<int>((bytes + kSmallStep - 1) / kSmallStep) - 1;
  int power = 11;
  while ((std::size_t{1} << power) < bytes) ++power;
  return kSmallClasses + (power - 11);
}

std::size_t class_bytes(int size_class) {
  if (size_class < kSmallClasses) return static_cast<std::size_t>(size_class + 1) * kSmallStep;
  return std::size_t{1} << (size_class - kSmallClasses + 11);
}

struct FreeBlock {
  FreeBlock* next;
};

// Plain data, so the hot path reads it without a thread_local initialisation check.
struct Cache {
  std::array<FreeBlock*, kClasses> heads;
  std::array<std::size_t, kClasses> counts;
};
thread_local Cache cache{};

// Hands the cached blocks back to malloc when the thread ends; touched only on the slow path.
struct CacheReleaser {
  ~CacheReleaser() {
    for (auto& head : cache.heads)
      while (head) ::operator delete(std::exchange(head, head->next));
    cache.counts.fill(0);
  }
};
thread_local CacheReleaser releaser;

#ifdef AG_NO_POOL
constexpr bool kPooling = false;  // sanitizer builds: every block goes back to malloc, so misuse is caught
#else
constexpr bool kPooling = true;
#endif

// The nothrow form, with the same std::bad_alloc on failure: under AddressSanitizer (with allocator_may_return_null=1)
// only this form fails softly, so a tensor too large for memory is an ag::Error there too, not an abort.
void* heap_allocate(std::size_t bytes) {
  if (void* block = ::operator new(bytes, std::nothrow)) return block;
  throw std::bad_alloc();
}

}  // namespace

void* pool_allocate(std::size_t bytes) {
  if (!kPooling || bytes > kLargeLimit) return heap_allocate(bytes);
  const int c = size_class(bytes);
  if (FreeBlock* block = cache.heads[c]) {
    cache.heads[c] = block->next;
    --cache.counts[c];
    return block;
  }
  (void)&releaser;  // makes sure this thread's cache is released when it ends
  return heap_allocate(class_bytes(c));
}

void pool_free(void* block, std::size_t bytes) noexcept {
  if (!kPooling || bytes > kLargeLimit) return ::operator delete(block);
  const int c = size_class(bytes);
  if (cache.counts[c] * class_bytes(c) >= kCachedBytesPerClass) return ::operator delete(block);
  auto* free_block = static_cast<FreeBlock*>(block);
  free_block->next = cache.heads[c];
  cache.heads[c] = free_block;
  ++cache.counts[c];
}

}  // namespace ag::detail
