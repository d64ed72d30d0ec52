#include "serialize/file_io.hpp"

#include <autograd/error.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace ag::nn::detail {

namespace {

std::string last_error() { return std::strerror(errno); }

// Closes the descriptor and, until kept, removes the temporary file, so that a failed save leaves nothing behind.
class TemporaryFile {
 public:
  explicit TemporaryFile(const std::filesystem::path& target) : name_(target.string() + ".tmp-XXXXXX") {
    fd_ = ::mkstemp(name_.data());
    if (fd_ < 0) fail("{}: cannot create a temporary file beside it: {}", target.string(), last_error());
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  ~TemporaryFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!kept_) ::unlink(name_.c_str());
  }

  int fd() const { return fd_; }
  const std::string& name() const { return name_; }
  // Closes the file, reporting a failed close (on some file systems the last write error shows up only there).
  void close(const std::filesystem::path& target) {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("{}: closing the temporary file failed: {}", target.string(), last_error());
  }
  void keep() { kept_ = true; }

 private:
  std::string name_;
  int fd_ = -1;
  bool kept_ = false;
};

void write_all(int fd, std::span<const std::byte> bytes, const std::filesystem::path& target) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      fail("{}: writing failed: {}", target.string(), last_error());
    }
    bytes = bytes.subspan(static_cast<std::size_t>(written));
  }
}

void sync_folder(const std::filesystem::path& target) {
  const std::filesystem::path folder = target.has_parent_path() ? target.parent_path() : ".";
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) fail("{}: cannot open its folder to sync the rename: {}", target.string(), last_error());
  const int synced = ::fsync(fd);
  const std::string error = synced != 0 ? last_error() : "";
  ::close(fd);
  if (synced != 0) fail("{}: syncing its folder failed: {}", target.string(), error);
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes) {
  TemporaryFile temporary(path);
  // mkstemp makes the file private; keep the mode of the file it replaces, or give a new one the usual rw-r--r--.
  struct stat existing {};
  ::fchmod(temporary.fd(), ::stat(path.c_str(), &existing) == 0 ? existing.st_mode & 07777 : 0644);
  write_all(temporary.fd(), bytes, path);
  if (::fsync(temporary.fd()) != 0) fail("{}: fsync failed: {}", path.string(), last_error());
  temporary.close(path);
  if (::rename(temporary.name().c_str(), path.c_str()) != 0)
    fail("{}: renaming the temporary file over it failed: {}", path.string(), last_error());
  temporary.keep();
  sync_folder(path);
}

std::vector<std::byte> read_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) fail("{}: cannot open the file: {}", path.string(), last_error());
  std::vector<std::byte> bytes;
  struct stat info {};
  if (::fstat(fd, &info) == 0 && info.st_size > 0) bytes.reserve(static_cast<std::size_t>(info.st_size));
  std::byte buffer[1 << 16];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      const std::string error = last_error();
      ::close(fd);
      fail("{}: reading failed: {}", path.string(), error);
    }
    if (got == 0) break;
    bytes.insert(bytes.end(), buffer, buffer + got);
  }
  ::close(fd);
  return bytes;
}

}  // namespace ag::nn::detail
