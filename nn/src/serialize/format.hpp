#pragma once

// The part of nn::save's format that nn::load checks before reading a file's body.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace ag::nn::detail {

// The bytes that check_tensor_file_header reads: the magic, the version and the file size.
inline constexpr std::size_t kTensorFileHeaderBytes = 8 + 4 + 8;

// Checks the start of a tensor file of `file_size` bytes, whose first min(file_size, kTensorFileHeaderBytes) bytes
// are `prefix`: the magic, a readable version, and a declared size equal to `file_size`. Returns the version;
// throws ag::Error naming `source` otherwise.
std::uint32_t check_tensor_file_header(std::span<const std::byte> prefix, std::uint64_t file_size,
                                       std::string_view source);

}  // namespace ag::nn::detail
