#include "serialize/file_io.hpp"

#include <autograd/error.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <system_error>

namespace ag::nn::detail {

namespace {

std::string last_error() { return std::strerror(errno); }

// What a file that is not regular is, for messages.
const char* file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// Linux's limit on symlinks followed in one path (ELOOP beyond it).
constexpr int kMaxSymlinkHops = 40;

// The file that saving to `path` replaces: the end of its chain of symlinks, each resolved against the folder of
// the link, as open() would follow them. Renaming over the link itself would leave its old target stale.
std::filesystem::path save_target(const std::filesystem::path& path) {
  std::filesystem::path target = path;
  for (int hops = 0;; ++hops) {
    struct stat info {};
    if (::lstat(target.c_str(), &info) != 0) {
      if (errno == ENOENT) return target;  // a new file, or the missing target of a link, which open() creates
      fail("{}: cannot inspect {}: {}", path.string(), target.string(), last_error());
    }
    if (S_ISREG(info.st_mode)) return target;
    if (!S_ISLNK(info.st_mode)) {
      const std::string via = target == path ? "" : fmt::format(" (the target of its symlink, {})", target.string());
      fail("{}: is {}{}, not a regular file; tensors are saved to regular files only", path.string(),
           file_kind(info.st_mode), via);
    }
    if (hops == kMaxSymlinkHops) fail("{}: more than {} symlinks in a chain", path.string(), kMaxSymlinkHops);
    std::error_code error;
    const std::filesystem::path link = std::filesystem::read_symlink(target, error);
    if (error) fail("{}: cannot read the symlink {}: {}", path.string(), target.string(), error.message());
    target = link.is_absolute() ? link : target.parent_path() / link;
  }
}

// The permissions open() gives a new file: rw for everyone, less the process's umask, read from /proc because umask()
// reads it only by changing it, which would race with other threads.
mode_t new_file_mode() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("Umask:")) return 0666 & ~static_cast<mode_t>(std::strtoul(line.c_str() + 6, nullptr, 8));
  return 0644;
}

// Closes the descriptor and, until kept, removes the temporary file, so that a failed save leaves nothing behind.
class TemporaryFile {
 public:
  explicit TemporaryFile(const std::filesystem::path& target) : name_(target.string() + ".tmp-XXXXXX") {
    fd_ = ::mkostemp(name_.data(), O_CLOEXEC);  // not inherited by a program another thread starts meanwhile
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

InputFile::InputFile(const std::filesystem::path& path) : InputFile(path, path.string()) {}

InputFile::InputFile(const std::filesystem::path& path, std::string label) : label_(std::move(label)) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd_ < 0) fail("{}: cannot open the file: {}", label_, last_error());
  struct stat info {};
  if (::fstat(fd_, &info) != 0) {
    const std::string error = last_error();
    ::close(fd_);
    fail("{}: cannot inspect the file: {}", label_, error);
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd_);
    fail("{}: is {}, not a regular file; only regular files are read", label_, file_kind(info.st_mode));
  }
  // The flag means nothing for a regular file, but gzdopen's reads would inherit it: clear it.
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
  size_ = static_cast<std::uint64_t>(info.st_size);
}

InputFile::~InputFile() {
  if (fd_ >= 0) ::close(fd_);
}

void InputFile::read_at(std::uint64_t offset, std::span<std::byte> out, std::string_view what) const {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t got = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      fail("{}: reading {} failed: {}", label_, what, last_error());
    }
    if (got == 0)
      fail("{}: the file ended at byte {} while reading {} (it changed while being read)", label_, offset + done, what);
    done += static_cast<std::size_t>(got);
  }
}

int InputFile::release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

void write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes) {
  const std::filesystem::path target = save_target(path);
  TemporaryFile temporary(target);
  // mkostemp makes the file private: keep the permissions of the file it replaces, or give a new one those open()
  // would (rw for all, less the umask).
  struct stat existing {};
  const mode_t mode = ::stat(target.c_str(), &existing) == 0 ? existing.st_mode & 0777 : new_file_mode();
  if (::fchmod(temporary.fd(), mode) != 0)
    fail("{}: cannot set the permissions of the temporary file: {}", target.string(), last_error());
  write_all(temporary.fd(), bytes, target);
  if (::fsync(temporary.fd()) != 0) fail("{}: fsync failed: {}", target.string(), last_error());
  temporary.close(target);
  if (::rename(temporary.name().c_str(), target.c_str()) != 0)
    fail("{}: renaming the temporary file over it failed: {}", target.string(), last_error());
  temporary.keep();
  sync_folder(target);
}

}  // namespace ag::nn::detail
