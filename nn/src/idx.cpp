#include <nn/idx.hpp>

#include "serialize/file_io.hpp"

#include <autograd/creation.hpp>
#include <autograd/error.hpp>

#include <fmt/format.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace ag::nn {

namespace {

constexpr std::uint8_t kUnsignedByte = 0x08;
constexpr std::int64_t kChunkBytes = std::int64_t{1} << 20;
// Deflate expands at most 1032-fold (a 258-byte match costs at least two bits), so a gzip file of n bytes holds at
// most 1032 n: a header claiming more is damaged or hostile, and is refused before anything is allocated for it.
constexpr std::int64_t kMaxDeflateRatio = 1032;

const char* type_name(std::uint8_t type) {
  switch (type) {
    case 0x08:
      return "unsigned byte";
    case 0x09:
      return "signed byte";
    case 0x0B:
      return "int16";
    case 0x0C:
      return "int32";
    case 0x0D:
      return "float32";
    case 0x0E:
      return "float64";
    default:
      return "no IDX type";
  }
}

std::string dimensions(int count) { return fmt::format("{} dimension{}", count, count == 1 ? "" : "s"); }

// An IDX file opened through zlib, which reads gzip-compressed and plain files alike. Only a regular file is opened
// (a FIFO or a device could block or never end), and its size bounds what the header may claim. Every error names
// the file.
class IdxFile {
 public:
  explicit IdxFile(std::filesystem::path path) : path_(std::move(path)) {
    detail::InputFile input(path_, fmt::format("read_idx: {}", path_.string()));
    size_ = static_cast<std::int64_t>(input.size());
    const int fd = input.release();
    errno = 0;
    file_ = gzdopen(fd, "rb");
    if (!file_) {
      ::close(fd);
      fail_because("cannot open the file: {}", errno ? std::strerror(errno) : "out of memory");
    }
  }
  ~IdxFile() { gzclose(file_); }
  IdxFile(const IdxFile&) = delete;
  IdxFile& operator=(const IdxFile&) = delete;

  // Reads up to `count` bytes; fewer only where the data ends.
  std::int64_t read(unsigned char* out, std::int64_t count) {
    std::int64_t total = 0;
    while (total < count) {
      const auto chunk = static_cast<unsigned>(std::min(count - total, kChunkBytes));
      const int got = gzread(file_, out + total, chunk);
      if (got < 0) fail_because("cannot read the file: {}", zlib_error());
      if (got == 0) break;
      total += got;
    }
    return total;
  }

  // The file's size on disk, compressed or not.
  std::int64_t size() const { return size_; }
  // Whether the file is plain rather than gzip-compressed; known once something was read.
  bool plain() const { return gzdirect(file_) == 1; }

  // Whether the data ended because a gzip stream was cut off, rather than at its proper end.
  bool cut_off() const {
    int code = Z_OK;
    gzerror(file_, &code);
    return code == Z_BUF_ERROR;
  }

  template <class... Args>
  [[noreturn]] void fail_because(fmt::format_string<Args...> format, Args&&... args) const {
    fail("read_idx: {}: {}", path_.string(), fmt::format(format, std::forward<Args>(args)...));
  }

 private:
  // zlib's message without the file name it puts in front.
  std::string zlib_error() const {
    int code = Z_OK;
    const std::string message = gzerror(file_, &code);
    if (code == Z_ERRNO) return std::strerror(errno);
    const std::string prefix = path_.string() + ": ";
    return message.starts_with(prefix) ? message.substr(prefix.size()) : message;
  }

  std::filesystem::path path_;
  std::int64_t size_ = 0;
  gzFile file_ = nullptr;
};

std::uint32_t big_endian(const std::array<unsigned char, 4>& bytes) {
  return std::uint32_t{bytes[0]} << 24 | std::uint32_t{bytes[1]} << 16 | std::uint32_t{bytes[2]} << 8 | bytes[3];
}

std::string expected_and_found(const Shape& shape, std::int64_t found) {
  return fmt::format("expected {} bytes of data for shape {} after the header, found {}", shape.numel(), shape, found);
}

std::string trailing(const Shape& shape, std::int64_t extra) {
  return fmt::format("{} bytes of trailing data after the {} bytes that shape {} holds", extra, shape.numel(), shape);
}

// Refuses, before anything is allocated for it, data that the file cannot hold: a plain file has exactly its header
// and the data, a gzip file no more than deflate can expand to.
void check_against_file_size(const IdxFile& file, const Shape& shape) {
  const std::int64_t data_bytes = shape.numel();
  if (file.plain()) {
    const std::int64_t present = file.size() - 4 - 4 * std::int64_t{shape.size()};
    if (present < data_bytes) file.fail_because("{}", expected_and_found(shape, present));
    if (present > data_bytes) file.fail_because("{}", trailing(shape, present - data_bytes));
  } else if (data_bytes > kMaxDeflateRatio * file.size()) {
    file.fail_because(
        "the header claims {} bytes of data for shape {}, more than a gzip file of {} bytes can hold "
        "(deflate expands at most {}-fold): the file is damaged",
        data_bytes, shape, file.size(), kMaxDeflateRatio);
  }
}

// Reads and checks the magic number and the dimension sizes.
Shape read_header(IdxFile& file, int expected_dims) {
  std::array<unsigned char, 4> magic_bytes{};
  const std::int64_t got = file.read(magic_bytes.data(), 4);
  if (got < 4) file.fail_because("the file holds {} bytes, too few for an IDX header", got);
  const std::uint32_t magic = big_endian(magic_bytes);
  const std::uint8_t type = magic_bytes[2];
  const int dims = magic_bytes[3];
  const std::string expected = expected_dims
                                   ? fmt::format("0x{:08x} (unsigned bytes, {})", (kUnsignedByte << 8) | expected_dims,
                                                 dimensions(expected_dims))
                                   : "0x000008NN (unsigned bytes, NN dimensions)";
  if (magic_bytes[0] != 0 || magic_bytes[1] != 0)
    file.fail_because("not an IDX file: magic number 0x{:08x}, expected {}", magic, expected);
  if (expected_dims && (type != kUnsignedByte || dims != expected_dims))
    file.fail_because("magic number 0x{:08x} ({}, {}), expected {}", magic, type_name(type), dimensions(dims),
                      expected);
  if (type != kUnsignedByte)
    file.fail_because("values of type 0x{:02x} ({}) are not supported, only 0x08 (unsigned byte)", type,
                      type_name(type));
  if (dims < 1 || dims > kMaxDims)
    file.fail_because("the header gives {}, but tensors have 1 to {}", dimensions(dims), kMaxDims);

  Shape shape;
  for (int d = 0; d < dims; ++d) {
    std::array<unsigned char, 4> size_bytes{};
    if (file.read(size_bytes.data(), 4) < 4)
      file.fail_because("the header ends after {} of its {} dimension sizes", d, dims);
    shape.push_back(big_endian(size_bytes));
    // Each size is below 2^32 and the product so far at most kMaxIdxBytes, so this cannot overflow.
    if (shape.numel() > kMaxIdxBytes)
      file.fail_because("the header claims {} or more bytes of data, more than the {} read_idx accepts (kMaxIdxBytes)",
                        shape.numel(), kMaxIdxBytes);
  }
  check_against_file_size(file, shape);
  return shape;
}

// The values after the header, exactly as many as `shape` holds, converted to float32 a chunk at a time (the header's
// claim is bounded by the file's size, so the tensor can be made first).
Tensor read_values(IdxFile& file, const Shape& shape) {
  const std::int64_t expected = shape.numel();
  Tensor result = empty(shape, kFloat32);
  float* values = result.mutable_data<float>();
  std::vector<unsigned char> chunk(static_cast<std::size_t>(std::min(expected, kChunkBytes)));
  for (std::int64_t have = 0; have < expected;) {
    const std::int64_t wanted = std::min(expected - have, kChunkBytes);
    const std::int64_t got = file.read(chunk.data(), wanted);
    std::copy_n(chunk.data(), got, values + have);
    have += got;
    if (got < wanted)
      file.fail_because("{}{}", expected_and_found(shape, have), file.cut_off() ? " (the gzip stream is cut off)" : "");
  }
  std::array<unsigned char, 4096> rest{};
  std::int64_t extra = 0;
  for (std::int64_t got; (got = file.read(rest.data(), std::ssize(rest))) > 0;) extra += got;
  if (extra > 0) file.fail_because("{}", trailing(shape, extra));
  // zlib returns every byte of data even when the stream's end and its CRC-32 are missing, so a cut trailer shows
  // only here: the data was never checked and cannot be trusted.
  if (file.cut_off())
    file.fail_because(
        "the gzip stream is cut off after the {} bytes of data: its end and checksum are missing, so "
        "the file is truncated",
        expected);
  return result;
}

// Reads the whole file; `expected_dims` of 0 accepts any dimension count.
Tensor read_idx_file(const std::filesystem::path& path, int expected_dims) {
  IdxFile file(path);
  const Shape shape = read_header(file, expected_dims);
  return read_values(file, shape);
}

}  // namespace

Tensor read_idx(const std::filesystem::path& path) { return read_idx_file(path, 0); }

Tensor read_idx(const std::filesystem::path& path, int dims) {
  if (dims < 1 || dims > kMaxDims)
    fail("read_idx: {}: asked for {}, but tensors have 1 to {}", path.string(), dimensions(dims), kMaxDims);
  return read_idx_file(path, dims);
}

}  // namespace ag::nn
