#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Saving and loading named tensors, and checkpoints of a module with its optimiser.
///
/// File format, version 2 (all integers little-endian):
/// @verbatim
///   magic         8 bytes   "AGTENSOR"
///   version       uint32    2
///   file size     uint64    bytes in the whole file, checksum included
///   count         uint32    number of entries
///   count entries:
///     name_length uint32    1..kMaxNameBytes
///     name        bytes     UTF-8, unique within the file
///     dtype       uint8     0 float32, 1 float64, 2 int64, 3 bool
///     ndim        uint8     0..8
///     sizes       int64 × ndim, each >= 0
///     data        numel × dtype size bytes, row-major: floats IEEE 754, int64 two's complement, bool one byte
///                 0 or 1
///   crc32         uint32    zlib's CRC-32 of every byte before it
/// @endverbatim
/// Version 1 is the same with dtypes 0 and 1 only; this build reads both and writes version 2.
///
/// Files are written atomically (a temporary file in the same folder, flushed and fsynced, renamed over the old
/// one, then the folder fsynced): a crash leaves the old file or the new one, never a mix. A crash can leave a
/// temporary "<name>.tmp-XXXXXX" beside it, which no reader ever opens.

#include <nn/module.hpp>
#include <nn/optim/optimizer.hpp>
#include <nn/state_dict.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

namespace ag::nn {

inline constexpr std::uint32_t kFormatVersion = 2;        ///< the version written
inline constexpr std::uint32_t kOldestFormatVersion = 1;  ///< the oldest one read
inline constexpr std::uint32_t kMaxNameBytes = 4096;      ///< the longest entry name, in bytes of UTF-8

/// The file's bytes for `tensors`. Throws ag::Error for an undefined tensor, an empty or overlong name, or a name
/// given twice.
std::vector<std::byte> serialize(const StateDict& tensors);
/// The tensors in `bytes`, checked completely (magic, version, checksum, every size against the bytes present);
/// throws ag::Error naming `source` (the file) and what is wrong.
StateDict deserialize(std::span<const std::byte> bytes, std::string_view source);

/// torch::save for named tensors: writes serialize(tensors) to `path` atomically. Throws ag::Error as serialize(),
/// or naming the file when it cannot be written.
void save(const StateDict& tensors, const std::filesystem::path& path);
/// torch::load for named tensors: the tensors saved in `path`. Throws ag::Error naming the file when it cannot be
/// read, or as deserialize().
StateDict load(const std::filesystem::path& path);

/// A checkpoint: the module's parameters ("model.<name>"), the optimiser's state ("optimizer.<name>", when given)
/// and the caller's own entries ("extra.<name>", e.g. the epoch), in one file written atomically.
/// Throws ag::Error as save().
void save_checkpoint(const std::filesystem::path& path, const Module& module,
                     const optim::Optimizer* optimizer = nullptr, const StateDict& extra = {});

/// Loads a checkpoint written by save_checkpoint. Everything is checked before anything changes: a file that is
/// damaged, or that does not match the module (missing or extra names, shapes, dtypes) or the optimiser, throws
/// ag::Error naming the file and the problem and leaves the module and the optimiser exactly as they were. Returns
/// the extra entries.
StateDict load_checkpoint(const std::filesystem::path& path, Module& module, optim::Optimizer* optimizer = nullptr);

}  // namespace ag::nn

#pragma GCC visibility pop
