#include <autograd/detail/pool.hpp>
#include <autograd/detail/storage.hpp>

#include <new>

namespace ag::detail {

Storage* Storage::allocate(std::size_t nbytes) {
  static_assert(sizeof(Storage) <= kHeaderBytes);
  void* block = pool_allocate(kHeaderBytes + nbytes);
  auto* storage = new (block) Storage;
  storage->nbytes = nbytes;
  return storage;
}

void Storage::free() noexcept {
  const std::size_t bytes = kHeaderBytes + nbytes;
  this->~Storage();
  pool_free(this, bytes);
}

}  // namespace ag::detail
