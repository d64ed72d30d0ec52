#pragma once

// A file in memory (memfd) with a path, for fuzz targets whose reader under test takes a path.

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace fuzz {

class MemoryFile {
 public:
  MemoryFile() : fd_(::memfd_create("fuzz_input", 0)), path_("/proc/self/fd/" + std::to_string(fd_)) {
    if (fd_ < 0) std::abort();
  }
  ~MemoryFile() { ::close(fd_); }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;

  // Replaces the file's contents.
  const std::filesystem::path& holding(const std::uint8_t* data, std::size_t size) {
    if (::ftruncate(fd_, 0) != 0) std::abort();
    for (std::size_t at = 0; at < size;) {
      const ssize_t written = ::pwrite(fd_, data + at, size - at, static_cast<off_t>(at));
      if (written <= 0) std::abort();
      at += static_cast<std::size_t>(written);
    }
    return path_;
  }

 private:
  int fd_;
  std::filesystem::path path_;
};

}  // namespace fuzz
