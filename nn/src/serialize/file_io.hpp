#pragma once

// File access for the readers and writers of nn: files are untrusted input, so a reader opens only regular files,
// takes their size once and reads no more than that; a writer replaces files atomically and only regular ones.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace ag::nn::detail {

// A regular file opened for reading. A FIFO, a device (/dev/zero, /dev/stdin), a folder or a socket is refused when
// opened (without blocking on a FIFO), since reading one may block or never end; the size is taken then, and every
// read is bounded by it. Errors start with `label` (the path unless given).
class InputFile {
 public:
  explicit InputFile(const std::filesystem::path& path);
  InputFile(const std::filesystem::path& path, std::string label);
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  ~InputFile();

  std::uint64_t size() const { return size_; }
  const std::string& label() const { return label_; }
  // Fills `out` with the bytes at `offset`; throws ag::Error naming `what` when the file ends first (it shrank since
  // it was opened) or cannot be read.
  void read_at(std::uint64_t offset, std::span<std::byte> out, std::string_view what) const;
  // Hands the descriptor to the caller (zlib's gzdopen), who closes it.
  int release();

 private:
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::string label_;
};

// Replaces `path` with `bytes` so that a crash at any moment leaves the old file or the new one: a temporary file
// in the same folder, written, fsynced, renamed over `path`, and the folder fsynced so the rename survives too.
// A symlink at `path` is followed, as open() and PyTorch's torch.save do: the file it points to is replaced and the
// link kept. A target that exists and is not a regular file (a folder, a FIFO, a device) is refused.
void write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes);

}  // namespace ag::nn::detail
