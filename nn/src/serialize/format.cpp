// The tensor file format of nn/serialize.hpp: encoding, and decoding that trusts nothing in the bytes.

#include <nn/serialize.hpp>

#include "serialize/format.hpp"

#include <autograd/creation.hpp>

#include <zlib.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <string>
#include <unordered_set>

namespace ag::nn {

static_assert(std::endian::native == std::endian::little, "the tensor file format is written as little-endian");

namespace {

constexpr std::array<char, 8> kMagic = {'A', 'G', 'T', 'E', 'N', 'S', 'O', 'R'};
constexpr std::size_t kHeaderFieldBytes = 4 + 8 + 4;  // version, file size, entry count
constexpr std::size_t kChecksumBytes = 4;

std::uint32_t crc32_of(std::span<const std::byte> bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes lengths as uInt, so long inputs go in pieces.
  constexpr std::size_t kPiece = std::size_t{1} << 30;
  for (std::size_t at = 0; at < bytes.size(); at += kPiece) {
    const std::size_t length = std::min(kPiece, bytes.size() - at);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes.data() + at), static_cast<uInt>(length));
  }
  return static_cast<std::uint32_t>(crc);
}

class Writer {
 public:
  template <class T>
  void put(T value) {
    append(&value, sizeof value);
  }
  void append(const void* data, std::size_t size) {
    const auto* first = static_cast<const std::byte*>(data);
    bytes_.insert(bytes_.end(), first, first + size);
  }
  std::vector<std::byte>& bytes() { return bytes_; }

 private:
  std::vector<std::byte> bytes_;
};

// Reads fields in order; every read is checked against the bytes left, naming what was being read.
class Reader {
 public:
  Reader(std::span<const std::byte> bytes, std::string_view source) : bytes_(bytes), source_(source) {}

  template <class T>
  T get(std::string_view what) {
    T value;
    std::memcpy(&value, take(sizeof value, what).data(), sizeof value);
    return value;
  }
  std::span<const std::byte> take(std::size_t size, std::string_view what) {
    if (size > bytes_.size() - at_)
      fail("{}: truncated: {} needs {} bytes at offset {}, but only {} remain", source_, what, size, at_,
           bytes_.size() - at_);
    const auto piece = bytes_.subspan(at_, size);
    at_ += size;
    return piece;
  }
  std::size_t remaining() const { return bytes_.size() - at_; }

 private:
  std::span<const std::byte> bytes_;
  std::string_view source_;
  std::size_t at_ = 0;
};

// The entries' dtypes by their code in the file; version 1 has the first two.
constexpr std::array kDTypeCodes{DType::Float32, DType::Float64, DType::Int64, DType::Bool};
static_assert(kDTypeCodes.size() == kAllDTypes.size(), "give every dtype a code in the file format");
constexpr std::size_t kVersion1DTypes = 2;

std::uint8_t dtype_code(DType dtype) {
  return static_cast<std::uint8_t>(std::find(kDTypeCodes.begin(), kDTypeCodes.end(), dtype) - kDTypeCodes.begin());
}

// "a, b and c": items for a message, the last two joined by `last` (" and ", " or ").
std::string joined(const std::vector<std::string>& items, std::string_view last) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i)
    out += (i == 0 ? "" : i + 1 == items.size() ? std::string(last) : ", ") + items[i];
  return out;
}

// "0 (float32) or 1 (float64)": the dtype codes of a version.
std::string dtype_codes(std::size_t count) {
  std::vector<std::string> codes;
  for (std::size_t code = 0; code < count; ++code)
    codes.push_back(fmt::format("{} ({})", code, dtype_name(kDTypeCodes[code])));
  return joined(codes, " or ");
}

// "1 and 2": the versions this build reads.
std::string readable_versions() {
  std::vector<std::string> versions;
  for (std::uint32_t version = kOldestFormatVersion; version <= kFormatVersion; ++version)
    versions.push_back(std::to_string(version));
  return joined(versions, " and ");
}

void check_name(const std::string& name, std::string_view where) {
  if (name.empty()) fail("{}: an entry has an empty name", where);
  if (name.size() > kMaxNameBytes)
    fail("{}: the entry name '{}...' has {} bytes, at most {} are allowed", where, name.substr(0, 40), name.size(),
         kMaxNameBytes);
}

// A tensor's element count, bounded before it is computed so that no product of sizes from the file overflows.
constexpr std::uint64_t kMaxElements = std::uint64_t{1} << 50;

Tensor read_entry_data(Reader& in, const std::string& name, DType dtype, const Shape& shape, std::string_view source) {
  std::uint64_t elements = 1;
  bool empty_dim = false;
  for (const std::int64_t size : shape) {
    const auto dim = static_cast<std::uint64_t>(size);
    if (dim == 0) {
      empty_dim = true;
      continue;
    }
    if (elements > kMaxElements / dim)
      fail("{}: entry '{}' has shape {}, more elements than a tensor can hold", source, name, shape);
    elements *= dim;
  }
  if (empty_dim) elements = 0;
  const std::uint64_t element_size = dtype_size(dtype);
  if (elements > in.remaining() / element_size)
    fail("{}: truncated: entry '{}' of shape {} needs {} bytes of data, but only {} remain", source, name, shape,
         elements * element_size, in.remaining());
  const auto data = in.take(elements * element_size, fmt::format("the data of entry '{}'", name));
  // Any other byte in a C++ bool is undefined behaviour, so a file cannot be trusted to hold only these.
  if (dtype == DType::Bool)
    for (std::size_t i = 0; i < data.size(); ++i)
      if (data[i] != std::byte{0} && data[i] != std::byte{1})
        fail("{}: entry '{}' is bool, but element {} is the byte {}, not 0 or 1", source, name, i,
             std::to_integer<int>(data[i]));
  Tensor tensor = empty(shape, dtype);
  dispatch(dtype, [&]<class T>(T) {
    if (!data.empty()) std::memcpy(tensor.mutable_data<T>(), data.data(), data.size());
  });
  return tensor;
}

}  // namespace

std::vector<std::byte> serialize(const StateDict& tensors) {
  if (tensors.size() > std::numeric_limits<std::uint32_t>::max())
    fail("serialize: {} entries is more than the format's limit", tensors.size());
  Writer out;
  out.append(kMagic.data(), kMagic.size());
  out.put<std::uint32_t>(kFormatVersion);
  const std::size_t file_size_at = out.bytes().size();
  out.put<std::uint64_t>(0);  // the file size, known at the end
  out.put<std::uint32_t>(static_cast<std::uint32_t>(tensors.size()));
  std::unordered_set<std::string_view> names;
  for (const auto& [name, tensor] : tensors) {
    check_name(name, "serialize");
    if (!names.insert(name).second) fail("serialize: the name '{}' is given twice", name);
    if (!tensor.defined()) fail("serialize: entry '{}' is an undefined tensor", name);
    out.put<std::uint32_t>(static_cast<std::uint32_t>(name.size()));
    out.append(name.data(), name.size());
    out.put<std::uint8_t>(dtype_code(tensor.dtype()));
    out.put<std::uint8_t>(static_cast<std::uint8_t>(tensor.dim()));
    for (const std::int64_t size : tensor.shape()) out.put<std::int64_t>(size);
    const Tensor contiguous = tensor.clone();  // a view's elements, in row-major order
    dispatch(tensor.dtype(), [&]<class T>(T) {
      out.append(contiguous.data<T>(), static_cast<std::size_t>(contiguous.numel()) * sizeof(T));
    });
  }
  const std::uint64_t file_size = out.bytes().size() + kChecksumBytes;
  std::memcpy(out.bytes().data() + file_size_at, &file_size, sizeof file_size);
  out.put<std::uint32_t>(crc32_of(out.bytes()));
  return std::move(out.bytes());
}

namespace detail {

std::uint32_t check_tensor_file_header(std::span<const std::byte> prefix, std::uint64_t file_size,
                                       std::string_view source) {
  if (file_size == 0) fail("{}: the file is empty", source);
  if (prefix.size() < kMagic.size() || std::memcmp(prefix.data(), kMagic.data(), kMagic.size()) != 0)
    fail("{}: not a tensor file (it does not start with \"AGTENSOR\")", source);
  if (file_size < kMagic.size() + kHeaderFieldBytes + kChecksumBytes)
    fail("{}: truncated: {} bytes is shorter than the header and checksum", source, file_size);
  Reader header(prefix.subspan(kMagic.size()), source);
  const auto version = header.get<std::uint32_t>("the format version");
  if (version < kOldestFormatVersion || version > kFormatVersion)
    fail("{}: format version {} is not supported (this build reads versions {})", source, version, readable_versions());
  const auto file_bytes = header.get<std::uint64_t>("the file size");
  if (file_bytes != file_size)
    fail("{}: {}: the header says the file has {} bytes, but it has {}", source,
         file_bytes > file_size ? "truncated" : "trailing bytes", file_bytes, file_size);
  return version;
}

}  // namespace detail

StateDict deserialize(std::span<const std::byte> bytes, std::string_view source) {
  const std::uint32_t version = detail::check_tensor_file_header(
      bytes.first(std::min(bytes.size(), detail::kTensorFileHeaderBytes)), bytes.size(), source);
  const std::size_t dtype_count = version == 1 ? kVersion1DTypes : kDTypeCodes.size();

  const auto body = bytes.first(bytes.size() - kChecksumBytes);
  std::uint32_t stored_crc;
  std::memcpy(&stored_crc, bytes.data() + body.size(), kChecksumBytes);
  const std::uint32_t actual_crc = crc32_of(body);
  if (stored_crc != actual_crc)
    fail("{}: checksum mismatch (stored {:08x}, computed {:08x}): the file is truncated or corrupt", source, stored_crc,
         actual_crc);

  Reader in(body, source);
  in.take(kMagic.size() + 4 + 8, "the header");
  const auto count = in.get<std::uint32_t>("the entry count");
  StateDict tensors;
  std::unordered_set<std::string> names;
  for (std::uint32_t i = 0; i < count; ++i) {
    const auto name_length = in.get<std::uint32_t>("an entry's name length");
    if (name_length == 0 || name_length > kMaxNameBytes)
      fail("{}: entry {} has a name of {} bytes; names have 1 to {}", source, i, name_length, kMaxNameBytes);
    const auto name_bytes = in.take(name_length, "an entry's name");
    std::string name(reinterpret_cast<const char*>(name_bytes.data()), name_bytes.size());
    if (!names.insert(name).second) fail("{}: the entry '{}' appears twice", source, name);
    const auto code = in.get<std::uint8_t>("an entry's dtype");
    if (code >= dtype_count)
      fail("{}: entry '{}' has dtype code {}; format version {} has {}", source, name, code, version,
           dtype_codes(dtype_count));
    const auto ndim = in.get<std::uint8_t>("an entry's dimension count");
    if (ndim > kMaxDims)
      fail("{}: entry '{}' has {} dimensions; at most {} are supported", source, name, ndim, kMaxDims);
    Shape shape;
    for (int d = 0; d < ndim; ++d) {
      const auto size = in.get<std::int64_t>("an entry's size");
      if (size < 0) fail("{}: entry '{}' has a negative size {} in dimension {}", source, name, size, d);
      shape.push_back(size);
    }
    Tensor tensor = read_entry_data(in, name, kDTypeCodes[code], shape, source);
    tensors.emplace_back(std::move(name), std::move(tensor));
  }
  if (in.remaining() != 0)
    fail("{}: {} unexpected bytes after the last of {} entries, before the checksum", source, in.remaining(), count);
  return tensors;
}

}  // namespace ag::nn
