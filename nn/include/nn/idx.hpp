#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Reading IDX files, the format of MNIST and Fashion-MNIST, gzip-compressed or plain. A file holds a 4-byte
/// magic number (two zero bytes, a type byte, a dimension count), one big-endian uint32 per dimension, and then
/// the values in row-major order: 0x00000803 is a stack of images of unsigned bytes, 0x00000801 a list of labels.

#include <autograd/tensor.hpp>

#include <cstdint>
#include <filesystem>

namespace ag::nn {

/// The largest payload read_idx accepts (256 MiB, five times Fashion-MNIST's 47 MB of training images; the float32
/// tensor takes four times as much), so that a damaged or hostile header cannot make it allocate gigabytes.
inline constexpr std::int64_t kMaxIdxBytes = std::int64_t{1} << 28;

/// The values of an IDX file of unsigned bytes (type 0x08) as a float32 tensor of the file's shape, unscaled:
/// pixels stay 0..255 and labels stay class indices. The header is checked against the file's size before anything
/// is allocated: a plain file must hold exactly its data, a gzip file no more than deflate can expand to. Throws
/// ag::Error naming the file and the problem when it is missing, not a regular file, not IDX, of another type,
/// claims more than kMaxIdxBytes or more than the file can hold, holds fewer or more values than its header says,
/// or is a gzip stream that is cut off or fails its checksum.
Tensor read_idx(const std::filesystem::path& path);

/// The same, also requiring `dims` dimensions, that is the magic number 0x000008<dims>; throws ag::Error naming the
/// file if it has another number of dimensions.
Tensor read_idx(const std::filesystem::path& path, int dims);

}  // namespace ag::nn

#pragma GCC visibility pop
