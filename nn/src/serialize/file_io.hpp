#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <vector>

namespace ag::nn::detail {

// Replaces `path` with `bytes` so that a crash at any moment leaves the old file or the new one: a temporary file
// in the same folder, written, fsynced, renamed over `path`, and the folder fsynced so the rename survives too.
void write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes);

std::vector<std::byte> read_file(const std::filesystem::path& path);

}  // namespace ag::nn::detail
