// The safetensors format of nn/safetensors.hpp: writing as the reference implementation does, and reading that
// trusts nothing in the file.

#include <nn/safetensors.hpp>
#include <nn/serialize.hpp>

#include "serialize/file_io.hpp"

#include <autograd/creation.hpp>
#include <autograd/error.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <tuple>
#include <unordered_set>
#include <utility>

namespace ag::nn {

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian");

namespace {

using Json = nlohmann::json;
// Keeps keys in insertion order, so the header lists "__metadata__" first and then the tensors in data order, as
// the reference writer does.
using OrderedJson = nlohmann::ordered_json;

constexpr std::string_view kMetadataKey = "__metadata__";
constexpr std::size_t kLengthBytes = 8;
// A bound on a tensor's element count, checked before the count is computed, so that no product of sizes from a
// file overflows (and the same bound as nn::load's).
constexpr std::uint64_t kMaxElements = std::uint64_t{1} << 50;

// The dtype's name in the format.
std::string_view format_name(DType dtype) {
  switch (dtype) {
    case DType::Float32:
      return "F32";
    case DType::Float64:
      return "F64";
    case DType::Int64:
      return "I64";
    case DType::Bool:
      return "BOOL";
  }
  fail_invalid_dtype(dtype);
}

// The reference writer orders tensors by its dtype enumeration, last first (U64, I64, F64, F32, ..., BOOL: roughly
// by alignment), then by name. These are the positions of ours in that order.
int reference_dtype_rank(DType dtype) {
  switch (dtype) {
    case DType::Bool:
      return 0;
    case DType::Float32:
      return 1;
    case DType::Float64:
      return 2;
    case DType::Int64:
      return 3;
  }
  fail_invalid_dtype(dtype);
}

// The readable dtypes, for messages: "F32, F64, I64 and BOOL".
std::string readable_dtypes() {
  std::string out;
  for (std::size_t i = 0; i < kAllDTypes.size(); ++i)
    out += (i == 0 ? "" : i + 1 == kAllDTypes.size() ? " and " : ", ") + std::string(format_name(kAllDTypes[i]));
  return out;
}

// A JSON value for a message: compact, and cut short if long. Only a value without nested lists or objects is
// printed, since printing recurses and a hostile header can nest millions deep.
std::string shown(const Json& value) {
  constexpr std::size_t kShownBytes = 60;
  const bool nested = value.is_structured() &&
                      std::any_of(value.begin(), value.end(), [](const Json& item) { return item.is_structured(); });
  std::string text = nested ? (value.is_array() ? "a nested list" : "a nested object")
                            : value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > kShownBytes) text = text.substr(0, kShownBytes) + "...";
  return text;
}

// A key from the header for a message, cut short if long.
std::string clipped(std::string_view key) {
  constexpr std::size_t kShownBytes = 60;
  return key.size() > kShownBytes ? std::string(key.substr(0, kShownBytes)) + "..." : std::string(key);
}

// One tensor as the header describes it, checked.
struct EntryInfo {
  std::string name;
  DType dtype;
  Shape shape;
  std::uint64_t begin;  // offsets into the data section
  std::uint64_t end;
};

struct Header {
  std::vector<EntryInfo> entries;  // in data order
  SafetensorsMetadata metadata;
  std::uint64_t data_start = 0;  // where the data section starts in the file
};

DType parse_dtype(const Json& info, const std::string& name, std::string_view source) {
  const auto field = info.find("dtype");
  if (field == info.end()) fail("{}: tensor '{}' has no \"dtype\" in the header", source, name);
  if (!field->is_string()) fail("{}: tensor '{}' has dtype {}, not a string", source, name, shown(*field));
  const auto& text = field->get_ref<const std::string&>();
  for (const DType dtype : kAllDTypes)
    if (text == format_name(dtype)) return dtype;
  fail(
      "{}: tensor '{}' has dtype {}, which this build does not read (it reads {}); convert it in PyTorch before "
      "saving, e.g. with tensor.float()",
      source, name, shown(*field), readable_dtypes());
}

// The shape and its element count, bounded before it is computed.
std::pair<Shape, std::uint64_t> parse_shape(const Json& info, const std::string& name, std::string_view source) {
  const auto field = info.find("shape");
  if (field == info.end()) fail("{}: tensor '{}' has no \"shape\" in the header", source, name);
  if (!field->is_array()) fail("{}: tensor '{}' has shape {}, not a list of sizes", source, name, shown(*field));
  if (field->size() > static_cast<std::size_t>(kMaxDims))
    fail("{}: tensor '{}' has {} dimensions; at most {} are supported", source, name, field->size(), kMaxDims);
  Shape shape;
  std::uint64_t elements = 1;
  bool empty_dim = false;
  for (const Json& size : *field) {
    // nlohmann keeps non-negative integers as unsigned: a negative size, a fraction or text is anything else.
    if (!size.is_number_unsigned())
      fail("{}: tensor '{}' has shape {}; sizes are non-negative integers", source, name, shown(*field));
    const auto dim = size.get<std::uint64_t>();
    if (dim == 0) {
      empty_dim = true;
    } else {
      if (elements > kMaxElements / dim)
        fail("{}: tensor '{}' has shape {}, more elements than a tensor can hold", source, name, shown(*field));
      elements *= dim;
    }
    shape.push_back(static_cast<std::int64_t>(dim));
  }
  return {shape, empty_dim ? 0 : elements};
}

std::pair<std::uint64_t, std::uint64_t> parse_offsets(const Json& info, const std::string& name,
                                                      std::string_view source) {
  const auto field = info.find("data_offsets");
  if (field == info.end()) fail("{}: tensor '{}' has no \"data_offsets\" in the header", source, name);
  if (!field->is_array() || field->size() != 2 || !(*field)[0].is_number_unsigned() ||
      !(*field)[1].is_number_unsigned())
    fail("{}: tensor '{}' has data_offsets {}; expected [begin, end], two non-negative integers", source, name,
         shown(*field));
  const auto begin = (*field)[0].get<std::uint64_t>();
  const auto end = (*field)[1].get<std::uint64_t>();
  if (begin > end)
    fail("{}: tensor '{}' has data_offsets [{}, {}], which end before they begin", source, name, begin, end);
  return {begin, end};
}

EntryInfo parse_entry(const std::string& name, const Json& info, std::uint64_t data_bytes, std::string_view source) {
  if (!info.is_object())
    fail("{}: tensor '{}' is described by {}, not an object with dtype, shape and data_offsets", source, name,
         shown(info));
  const DType dtype = parse_dtype(info, name, source);
  const auto [shape, elements] = parse_shape(info, name, source);
  const auto [begin, end] = parse_offsets(info, name, source);
  if (end > data_bytes)
    fail("{}: truncated: tensor '{}' has data_offsets [{}, {}], past the end of the {} bytes of data", source, name,
         begin, end, data_bytes);
  // elements <= 2^50 and dtype sizes are at most 8, so this does not overflow.
  const std::uint64_t needed = elements * dtype_size(dtype);
  if (end - begin != needed)
    fail("{}: tensor '{}' of dtype {} and shape {} needs {} bytes, but its data_offsets [{}, {}] hold {}", source, name,
         format_name(dtype), shape, needed, begin, end, end - begin);
  return {name, dtype, shape, begin, end};
}

SafetensorsMetadata parse_metadata(const Json& value, std::string_view source) {
  if (!value.is_object()) fail("{}: \"__metadata__\" is {}, not an object of strings", source, shown(value));
  SafetensorsMetadata metadata;
  for (const auto& [key, text] : value.items()) {
    if (!text.is_string())
      fail("{}: \"__metadata__\" has \"{}\": {}, but its values are strings", source, clipped(key), shown(text));
    metadata.emplace(key, text.get<std::string>());
  }
  return metadata;
}

// Parses the JSON of a header (which starts with '{') and checks it against the `data_bytes` after it: tensors laid out
// in order, without gaps or overlaps, covering the data exactly.
Header parse_header(std::string_view text, std::uint64_t data_bytes, std::string_view source) {
  // nlohmann keeps the last of two equal keys silently, where other readers refuse the file or keep the first: a key
  // given twice in one object (a tensor's name, or one of its fields) is refused.
  std::vector<std::unordered_set<std::string>> open_objects;
  std::string twice;
  const Json::parser_callback_t refuse_duplicates = [&](int, Json::parse_event_t event, Json& parsed) {
    if (event == Json::parse_event_t::object_start) {
      open_objects.emplace_back();
    } else if (event == Json::parse_event_t::object_end) {
      open_objects.pop_back();
    } else if (event == Json::parse_event_t::key && !open_objects.back().insert(parsed.get<std::string>()).second &&
               twice.empty()) {
      twice = parsed.get<std::string>();
    }
    return true;
  };
  Json json;
  try {
    json = Json::parse(text, refuse_duplicates);
  } catch (const Json::exception& error) {
    // The message quotes the text it last read, which a hostile header can make as long as itself.
    constexpr std::size_t kMessageBytes = 300;
    const std::string_view message = error.what();
    fail("{}: the header is not valid JSON: {}{}", source, message.substr(0, kMessageBytes),
         message.size() > kMessageBytes ? "..." : "");
  }
  if (!twice.empty()) fail("{}: the header gives the key '{}' twice in one object", source, clipped(twice));

  Header header;
  for (const auto& [name, info] : json.items()) {
    if (name == kMetadataKey)
      header.metadata = parse_metadata(info, source);
    else if (name.empty())
      fail("{}: a tensor has an empty name", source);
    else if (name.size() > kMaxNameBytes)
      fail("{}: the tensor name '{}' has {} bytes, at most {} are read", source, clipped(name), name.size(),
           kMaxNameBytes);
    else
      header.entries.push_back(parse_entry(name, info, data_bytes, source));
  }
  std::sort(header.entries.begin(), header.entries.end(), [](const EntryInfo& a, const EntryInfo& b) {
    return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
  });
  std::uint64_t covered = 0;
  const EntryInfo* previous = nullptr;
  for (const EntryInfo& entry : header.entries) {
    if (entry.begin < covered)
      fail("{}: tensor '{}' (data_offsets [{}, {}]) overlaps tensor '{}' (data_offsets [{}, {}])", source, entry.name,
           entry.begin, entry.end, previous->name, previous->begin, previous->end);
    if (entry.begin > covered)
      fail("{}: tensor '{}' starts at data offset {}, leaving {} bytes before it that no tensor holds", source,
           entry.name, entry.begin, entry.begin - covered);
    covered = entry.end;
    previous = &entry;
  }
  if (covered != data_bytes)
    fail("{}: {} bytes after the last tensor's data belong to no tensor (the data section has {}, the tensors {})",
         source, data_bytes - covered, data_bytes, covered);
  return header;
}

// The bytes of a file held in memory, read as InputFile reads a file.
class MemoryBytes {
 public:
  MemoryBytes(std::span<const std::byte> bytes, std::string_view label) : bytes_(bytes), label_(label) {}
  std::uint64_t size() const { return bytes_.size(); }
  std::string_view label() const { return label_; }
  void read_at(std::uint64_t offset, std::span<std::byte> out, std::string_view) const {
    if (!out.empty()) std::memcpy(out.data(), bytes_.data() + offset, out.size());
  }

 private:
  std::span<const std::byte> bytes_;
  std::string_view label_;
};

// Reads and checks the header of `file` (an InputFile or MemoryBytes) against its size before reading anything
// else; memory is set aside only for a header that fits in the file.
template <class File>
Header read_header(const File& file) {
  const std::string_view source = file.label();
  if (file.size() < kLengthBytes)
    fail("{}: not a safetensors file: {} bytes, too few for the 8-byte header length", source, file.size());
  std::uint64_t length = 0;
  file.read_at(0, std::as_writable_bytes(std::span(&length, 1)), "the header length");
  const std::uint64_t after_length = file.size() - kLengthBytes;
  if (length > kMaxSafetensorsHeaderBytes)
    fail(
        "{}: not a safetensors file, or a damaged one: the header length is {} bytes, more than the {} read "
        "(kMaxSafetensorsHeaderBytes)",
        source, length, kMaxSafetensorsHeaderBytes);
  if (length > after_length)
    fail("{}: not a safetensors file, or truncated: the header length is {} bytes, but only {} follow it", source,
         length, after_length);
  // The first byte before the rest: a file that is not safetensors is refused before its claimed header is read.
  char first = '\0';
  if (length > 0) file.read_at(kLengthBytes, std::as_writable_bytes(std::span(&first, 1)), "the header");
  if (first != '{') fail("{}: not a safetensors file: the header does not start with '{{'", source);
  std::string text(length, '\0');
  file.read_at(kLengthBytes, std::as_writable_bytes(std::span(text)), "the header");
  Header header = parse_header(text, after_length - length, source);
  header.data_start = kLengthBytes + length;
  return header;
}

// The tensors of a checked header, their data read from `file`.
template <class File>
StateDict read_tensors(const File& file, const Header& header) {
  StateDict tensors;
  tensors.reserve(header.entries.size());
  for (const EntryInfo& entry : header.entries) {
    Tensor tensor = empty(entry.shape, entry.dtype);
    const std::span<std::byte> data(
        dispatch(entry.dtype, [&]<class T>(T) { return reinterpret_cast<std::byte*>(tensor.mutable_data<T>()); }),
        static_cast<std::size_t>(entry.end - entry.begin));
    file.read_at(header.data_start + entry.begin, data, fmt::format("the data of tensor '{}'", entry.name));
    // Any other byte in a C++ bool is undefined behaviour, so a file cannot be trusted to hold only these. The bytes
    // are checked as bytes, before anything reads them as bool.
    if (entry.dtype == DType::Bool)
      for (std::size_t i = 0; i < data.size(); ++i)
        if (data[i] != std::byte{0} && data[i] != std::byte{1})
          fail("{}: tensor '{}' is BOOL, but element {} is the byte {}, not 0 or 1", file.label(), entry.name, i,
               std::to_integer<int>(data[i]));
    tensors.emplace_back(entry.name, std::move(tensor));
  }
  return tensors;
}

}  // namespace

std::vector<std::byte> serialize_safetensors(const StateDict& tensors, const SafetensorsMetadata& metadata) {
  std::unordered_set<std::string_view> names;
  std::vector<const std::pair<std::string, Tensor>*> order;
  for (const auto& entry : tensors) {
    const auto& [name, tensor] = entry;
    if (name.empty()) fail("serialize_safetensors: a tensor has an empty name");
    if (name.size() > kMaxNameBytes)
      fail("serialize_safetensors: the name '{}' has {} bytes, at most {} are allowed", clipped(name), name.size(),
           kMaxNameBytes);
    if (name == kMetadataKey)
      fail("serialize_safetensors: a tensor is named \"{}\", which the format reserves for the metadata", kMetadataKey);
    if (!names.insert(name).second) fail("serialize_safetensors: the name '{}' is given twice", name);
    if (!tensor.defined()) fail("serialize_safetensors: tensor '{}' is undefined", name);
    order.push_back(&entry);
  }
  std::sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    const int rank_a = reference_dtype_rank(a->second.dtype());
    const int rank_b = reference_dtype_rank(b->second.dtype());
    return rank_a != rank_b ? rank_a > rank_b : a->first < b->first;
  });

  OrderedJson header = OrderedJson::object();
  if (!metadata.empty()) header[std::string(kMetadataKey)] = metadata;
  std::uint64_t offset = 0;
  for (const auto* entry : order) {
    const Tensor& tensor = entry->second;
    const std::uint64_t bytes = static_cast<std::uint64_t>(tensor.numel()) * dtype_size(tensor.dtype());
    header[entry->first] = {{"dtype", format_name(tensor.dtype())},
                            {"shape", std::vector<std::int64_t>(tensor.shape().begin(), tensor.shape().end())},
                            {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const Json::exception& error) {
    fail("serialize_safetensors: a name or a metadata entry is not valid UTF-8: {}", error.what());
  }
  // Spaces up to a multiple of 8 bytes, so that each tensor's data is as aligned as its offset in the data section.
  text.resize((text.size() + kLengthBytes - 1) / kLengthBytes * kLengthBytes, ' ');

  std::vector<std::byte> out(kLengthBytes + text.size() + offset);
  const std::uint64_t length = text.size();
  std::memcpy(out.data(), &length, kLengthBytes);
  std::memcpy(out.data() + kLengthBytes, text.data(), text.size());
  std::byte* data = out.data() + kLengthBytes + text.size();
  for (const auto* entry : order) {
    const Tensor contiguous = entry->second.detach().clone();  // a view's elements, in row-major order
    dispatch(contiguous.dtype(), [&]<class T>(T) {
      const std::size_t bytes = static_cast<std::size_t>(contiguous.numel()) * sizeof(T);
      if (bytes != 0) std::memcpy(data, contiguous.data<T>(), bytes);
      data += bytes;
    });
  }
  return out;
}

StateDict deserialize_safetensors(std::span<const std::byte> bytes, std::string_view source) {
  const MemoryBytes file(bytes, source);
  return read_tensors(file, read_header(file));
}

void save_safetensors(const std::filesystem::path& path, const StateDict& tensors,
                      const SafetensorsMetadata& metadata) {
  detail::write_file_atomically(path, serialize_safetensors(tensors, metadata));
}

StateDict load_safetensors(const std::filesystem::path& path) {
  const detail::InputFile file(path);
  return read_tensors(file, read_header(file));
}

SafetensorsMetadata load_safetensors_metadata(const std::filesystem::path& path) {
  const detail::InputFile file(path);
  return read_header(file).metadata;
}

}  // namespace ag::nn
