#include <nn/idx.hpp>

#include <autograd/creation.hpp>
#include <autograd/error.hpp>

#include <fmt/format.h>
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

// An IDX file opened through zlib, which reads gzip-compressed and plain files alike. Every error names the file.
class IdxFile {
 public:
  explicit IdxFile(std::filesystem::path path) : path_(std::move(path)) {
    errno = 0;
    file_ = gzopen(path_.c_str(), "rb");
    if (!file_) fail_because("cannot open the file: {}", errno ? std::strerror(errno) : "out of memory");
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
  gzFile file_ = nullptr;
};

std::uint32_t big_endian(const std::array<unsigned char, 4>& bytes) {
  return std::uint32_t{bytes[0]} << 24 | std::uint32_t{bytes[1]} << 16 | std::uint32_t{bytes[2]} << 8 | bytes[3];
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
  return shape;
}

// The values after the header, exactly as many as `shape` holds. Read in chunks, so that memory follows the data
// actually present rather than what the header claims.
std::vector<unsigned char> read_values(IdxFile& file, const Shape& shape) {
  const std::int64_t expected = shape.numel();
  std::vector<unsigned char> values;
  while (std::ssize(values) < expected) {
    const std::int64_t have = std::ssize(values);
    values.resize(static_cast<std::size_t>(std::min(expected, have + kChunkBytes)));
    const std::int64_t got = file.read(values.data() + have, std::ssize(values) - have);
    if (have + got < std::ssize(values)) {
      file.fail_because("expected {} bytes of data for shape {} after the header, found {}{}", expected, shape,
                        have + got, file.cut_off() ? " (the gzip stream is cut off)" : "");
    }
  }
  std::array<unsigned char, 4096> rest{};
  std::int64_t trailing = 0;
  for (std::int64_t got; (got = file.read(rest.data(), std::ssize(rest))) > 0;) trailing += got;
  if (trailing > 0)
    file.fail_because("{} bytes of trailing data after the {} bytes that shape {} holds", trailing, expected, shape);
  return values;
}

// Reads the whole file; `expected_dims` of 0 accepts any dimension count.
Tensor read_idx_file(const std::filesystem::path& path, int expected_dims) {
  IdxFile file(path);
  const Shape shape = read_header(file, expected_dims);
  const std::vector<unsigned char> values = read_values(file, shape);
  Tensor result = empty(shape, kFloat32);
  std::copy(values.begin(), values.end(), result.mutable_data<float>());
  return result;
}

}  // namespace

Tensor read_idx(const std::filesystem::path& path) { return read_idx_file(path, 0); }

Tensor read_idx(const std::filesystem::path& path, int dims) {
  if (dims < 1 || dims > kMaxDims)
    fail("read_idx: {}: asked for {}, but tensors have 1 to {}", path.string(), dimensions(dims), kMaxDims);
  return read_idx_file(path, dims);
}

}  // namespace ag::nn
