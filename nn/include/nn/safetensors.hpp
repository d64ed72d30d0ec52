#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Named tensors in the safetensors format, the one PyTorch users exchange weights in
/// (https://huggingface.co/docs/safetensors): `safetensors.torch.save_file(model.state_dict(), path)` in Python
/// writes a file that load_safetensors() reads, and save_safetensors() writes one that `load_file` reads.
///
/// The format (all integers little-endian):
/// @verbatim
///   N        uint64    the header's length in bytes
///   header   N bytes   UTF-8 JSON: {"<name>": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
///                      optionally "__metadata__": {"<key>": "<text>", ...}}, padded with spaces
///   data     the rest  each tensor's elements, row-major, at [begin, end) counted from the start of the data
/// @endverbatim
/// The dtypes read and written are F32 (float32), F64 (float64), I64 (int64) and BOOL (one byte, 0 or 1); a file
/// holding any other (F16, BF16, I32, ...) is refused with the tensor's name: convert it in PyTorch first
/// (`{k: v.float() for k, v in state_dict.items()}`).
///
/// Names are PyTorch's state_dict names: a Sequential's layers are numbered from 0 as in `torch.nn.Sequential`
/// ("0.weight", "0.bias", "3.weight", ...), so a model laid out the same way exchanges weights without renaming.

#include <nn/state_dict.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ag::nn {

/// The header's "__metadata__": free-form text pairs (e.g. {"format": "pt"}, which safetensors.torch writes).
using SafetensorsMetadata = std::map<std::string, std::string>;

/// The longest header read, in bytes (the reference implementation's limit): a larger one is refused before
/// anything is allocated.
inline constexpr std::uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;

/// The bytes of a safetensors file holding `tensors` and `metadata`. Tensors are laid out as the reference writer
/// does: by dtype, widest first (int64, float64, float32, bool), then by name, so the same tensors always give the
/// same bytes; the header is padded with spaces to a multiple of 8 bytes so that every tensor's data is aligned.
/// Throws ag::Error for an undefined tensor, an empty name, one longer than kMaxNameBytes, a name given twice, the
/// reserved name "__metadata__", or a name or metadata that is not valid UTF-8.
std::vector<std::byte> serialize_safetensors(const StateDict& tensors, const SafetensorsMetadata& metadata = {});

/// The tensors in the safetensors bytes `bytes`, in the order of their data in the file. The header is checked
/// before any tensor is made: its length against the bytes present, the JSON, each dtype, shape and data_offsets
/// (inside the data, in order, without gaps or overlaps, and as long as the shape and dtype need), names of 1 to
/// kMaxNameBytes bytes, no key given twice in one object; bool bytes (0 or 1) are checked as they are read.
/// Throws ag::Error naming `source` (the file), the tensor and what is wrong.
StateDict deserialize_safetensors(std::span<const std::byte> bytes, std::string_view source);

/// Writes `tensors` (and `metadata`) to `path` as serialize_safetensors() does, atomically as nn::save(): a
/// temporary file beside the target, renamed over it. A symlink is followed and the file it points to replaced.
/// Throws ag::Error as serialize_safetensors(), or naming the file when it cannot be written or is not a regular
/// file (a folder, a FIFO, a device).
void save_safetensors(const std::filesystem::path& path, const StateDict& tensors,
                      const SafetensorsMetadata& metadata = {});

/// The tensors saved in the safetensors file `path`, checked as deserialize_safetensors() does. The header is read
/// and checked against the file's size before anything else is read or allocated, and at most the file's size is
/// read. Throws ag::Error naming the file (and the tensor) when it cannot be read, is not a regular file, or is not
/// a valid safetensors file.
StateDict load_safetensors(const std::filesystem::path& path);

/// The "__metadata__" of the safetensors file `path` (empty when it has none); only the header is read. Throws
/// ag::Error as load_safetensors().
SafetensorsMetadata load_safetensors_metadata(const std::filesystem::path& path);

}  // namespace ag::nn

#pragma GCC visibility pop
