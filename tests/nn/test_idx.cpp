#include <nn/fashion_mnist.hpp>
#include <nn/idx.hpp>

#include <autograd/autograd.hpp>

#include <sys/stat.h>
#include <zlib.h>
#include <catch2/catch.hpp>

#include "temp_dir.hpp"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using Catch::Contains;

namespace {

namespace fs = std::filesystem;

using test_support::TempDir;

// An IDX file's bytes: magic number 0x0000<type><dims>, the sizes as big-endian uint32, then `values`.
std::string idx_bytes(std::uint8_t type, const std::vector<std::uint32_t>& sizes, const std::string& values) {
  std::string bytes{'\0', '\0', static_cast<char>(type), static_cast<char>(sizes.size())};
  for (std::uint32_t size : sizes)
    for (int shift = 24; shift >= 0; shift -= 8) bytes += static_cast<char>((size >> shift) & 0xff);
  return bytes + values;
}

std::string ubyte_values(const std::vector<int>& values) { return std::string(values.begin(), values.end()); }

// `count` bytes that gzip cannot shrink much.
std::string noisy_bytes(std::size_t count) {
  std::string bytes;
  std::uint32_t state = 12345;
  for (std::size_t i = 0; i < count; ++i) {
    state = state * 1664525u + 1013904223u;
    bytes += static_cast<char>(state >> 24);
  }
  return bytes;
}

fs::path write_plain(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

fs::path write_gzip(const fs::path& path, const std::string& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  REQUIRE(file != nullptr);
  REQUIRE(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())) == static_cast<int>(bytes.size()));
  REQUIRE(gzclose(file) == Z_OK);
  return path;
}

const std::vector<int> kPixels = {0, 1, 2, 127, 128, 200, 254, 255, 3, 4, 5, 6};  // three 2x2 images

}  // namespace

TEST_CASE("read_idx reads gzip-compressed and plain files back exactly, as unscaled float32", "[nn][idx]") {
  TempDir dir;
  const std::string images = idx_bytes(0x08, {3, 2, 2}, ubyte_values(kPixels));
  const std::string labels = idx_bytes(0x08, {3}, ubyte_values({9, 0, 4}));
  const std::vector<double> expected_pixels(kPixels.begin(), kPixels.end());
  for (const fs::path& file : {write_gzip(dir / "images.gz", images), write_plain(dir / "images", images)}) {
    const ag::Tensor read = ag::nn::read_idx(file, 3);
    CHECK(read.dtype() == ag::kFloat32);
    CHECK(read.shape() == ag::Shape{3, 2, 2});
    CHECK(read.to_vector() == expected_pixels);
  }
  for (const fs::path& file : {write_gzip(dir / "labels.gz", labels), write_plain(dir / "labels", labels)}) {
    const ag::Tensor read = ag::nn::read_idx(file);
    CHECK(read.shape() == ag::Shape{3});
    CHECK(read.to_vector() == std::vector<double>{9, 0, 4});
  }
}

TEST_CASE("read_idx names a missing file and a file too short for a header", "[nn][idx]") {
  TempDir dir;
  const fs::path missing = dir / "missing-images-idx3-ubyte.gz";
  CHECK_THROWS_WITH(ag::nn::read_idx(missing), Contains(missing.string()) && Contains("No such file"));
  const fs::path empty = write_plain(dir / "empty", "");
  CHECK_THROWS_WITH(ag::nn::read_idx(empty), Contains(empty.string()) && Contains("holds 0 bytes, too few"));
}

TEST_CASE("read_idx reports the magic number it found and the one it expected", "[nn][idx]") {
  TempDir dir;
  const fs::path png = write_gzip(dir / "picture.gz", "\x89PNG\r\n\x1a\n");
  CHECK_THROWS_WITH(ag::nn::read_idx(png, 3), Contains(png.string()) && Contains("not an IDX file") &&
                                                  Contains("magic number 0x89504e47, expected 0x00000803"));

  const fs::path labels = write_gzip(dir / "labels.gz", idx_bytes(0x08, {3}, ubyte_values({1, 2, 3})));
  CHECK_THROWS_WITH(ag::nn::read_idx(labels, 3), Contains(labels.string()) &&
                                                     Contains("magic number 0x00000801 (unsigned byte, 1 dimension)") &&
                                                     Contains("expected 0x00000803 (unsigned bytes, 3 dimensions)"));

  const fs::path floats = write_gzip(dir / "floats.gz", idx_bytes(0x0D, {1}, std::string(4, '\0')));
  CHECK_THROWS_WITH(ag::nn::read_idx(floats),
                    Contains(floats.string()) && Contains("type 0x0d (float32) are not supported"));
}

TEST_CASE("read_idx refuses bad dimensions and sizes claiming more than kMaxIdxBytes", "[nn][idx]") {
  TempDir dir;
  const fs::path none = write_gzip(dir / "none.gz", idx_bytes(0x08, {}, "\x01"));
  CHECK_THROWS_WITH(ag::nn::read_idx(none), Contains(none.string()) && Contains("the header gives 0 dimensions"));

  const fs::path nine = write_gzip(dir / "nine.gz", idx_bytes(0x08, {1, 1, 1, 1, 1, 1, 1, 1, 1}, "\x01"));
  CHECK_THROWS_WITH(ag::nn::read_idx(nine), Contains(nine.string()) && Contains("the header gives 9 dimensions"));

  const fs::path short_header = write_gzip(dir / "short.gz", idx_bytes(0x08, {3, 2, 2}, "").substr(0, 12));
  CHECK_THROWS_WITH(ag::nn::read_idx(short_header),
                    Contains(short_header.string()) && Contains("the header ends after 2 of its 3 dimension sizes"));

  const fs::path huge = write_gzip(dir / "huge.gz", idx_bytes(0x08, {60000, 60000, 60000}, "\x01"));
  CHECK_THROWS_WITH(ag::nn::read_idx(huge), Contains(huge.string()) && Contains("more than the 268435456"));

  CHECK_THROWS_WITH(ag::nn::read_idx(huge, 0), Contains("asked for 0 dimensions"));
}

TEST_CASE("read_idx says how many bytes of data it expected and found", "[nn][idx]") {
  TempDir dir;
  const fs::path truncated = write_gzip(dir / "truncated.gz", idx_bytes(0x08, {3, 2, 2}, ubyte_values({1, 2, 3})));
  CHECK_THROWS_WITH(ag::nn::read_idx(truncated, 3),
                    Contains(truncated.string()) &&
                        Contains("expected 12 bytes of data for shape [3, 2, 2] after the header, found 3"));

  // A header claiming 100 MB over a few bytes: refused without allocating for the claim.
  const fs::path claims = write_plain(dir / "claims", idx_bytes(0x08, {1000, 1000, 100}, "\x01\x02"));
  CHECK_THROWS_WITH(ag::nn::read_idx(claims), Contains("expected 100000000 bytes of data") && Contains("found 2"));

  const fs::path garbage = write_gzip(dir / "garbage.gz", idx_bytes(0x08, {3}, ubyte_values({1, 2, 3, 4, 5})));
  CHECK_THROWS_WITH(ag::nn::read_idx(garbage),
                    Contains(garbage.string()) && Contains("2 bytes of trailing data after the 3 bytes"));
}

TEST_CASE("read_idx tells a cut-off gzip stream from a short file", "[nn][idx]") {
  TempDir dir;
  const fs::path whole = write_gzip(dir / "whole.gz", idx_bytes(0x08, {100, 100}, noisy_bytes(10000)));
  std::ifstream in(whole, std::ios::binary);
  const std::string compressed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const fs::path cut = write_plain(dir / "cut.gz", compressed.substr(0, compressed.size() / 2));
  CHECK_THROWS_WITH(ag::nn::read_idx(cut, 2), Contains(cut.string()) &&
                                                  Contains("expected 10000 bytes of data for shape [100, 100]") &&
                                                  Contains("(the gzip stream is cut off)"));
}

TEST_CASE("load_fashion_mnist scales the images into [0, 1] as rows of 784 pixels", "[nn][idx]") {
  TempDir dir;
  std::string pixels = noisy_bytes(2 * 28 * 28);
  pixels[0] = '\xff';
  pixels[1] = '\0';
  write_gzip(dir / "t10k-images-idx3-ubyte.gz", idx_bytes(0x08, {2, 28, 28}, pixels));
  write_gzip(dir / "t10k-labels-idx1-ubyte.gz", idx_bytes(0x08, {2}, ubyte_values({7, 3})));
  const ag::nn::TensorDataset test = ag::nn::load_fashion_mnist(dir.path(), ag::nn::Split::Test);
  CHECK(test.inputs().shape() == ag::Shape{2, 784});
  CHECK(test.targets().to_vector() == std::vector<double>{7, 3});
  CHECK(test.inputs().at({0, 0}) == 1.0);
  CHECK(test.inputs().at({0, 1}) == 0.0);
  CHECK(test.inputs().at({1, 783}) == Approx(static_cast<unsigned char>(pixels.back()) / 255.0));

  // Uncompressed files are read where the compressed ones are absent.
  write_plain(dir / "train-images-idx3-ubyte", idx_bytes(0x08, {1, 28, 28}, pixels.substr(0, 784)));
  write_plain(dir / "train-labels-idx1-ubyte", idx_bytes(0x08, {1}, ubyte_values({5})));
  CHECK(ag::nn::load_fashion_mnist(dir.path(), ag::nn::Split::Train).size() == 1);
}

TEST_CASE("load_fashion_mnist names the files whose counts, sizes or labels disagree", "[nn][idx]") {
  TempDir dir;
  const fs::path images =
      write_gzip(dir / "train-images-idx3-ubyte.gz", idx_bytes(0x08, {2, 28, 28}, noisy_bytes(2 * 28 * 28)));
  const fs::path labels = write_gzip(dir / "train-labels-idx1-ubyte.gz", idx_bytes(0x08, {3}, ubyte_values({1, 2, 3})));
  CHECK_THROWS_WITH(ag::nn::load_fashion_mnist(dir.path(), ag::nn::Split::Train),
                    Contains(images.string() + " holds 2 images but " + labels.string() + " holds 3 labels"));

  write_gzip(labels, idx_bytes(0x08, {2}, ubyte_values({1, 10})));
  CHECK_THROWS_WITH(ag::nn::load_fashion_mnist(dir.path(), ag::nn::Split::Train),
                    Contains(labels.string()) && Contains("label 10 at position 1 is not one of the 10 classes"));

  write_gzip(images, idx_bytes(0x08, {2, 27, 28}, noisy_bytes(2 * 27 * 28)));
  CHECK_THROWS_WITH(ag::nn::load_fashion_mnist(dir.path(), ag::nn::Split::Train),
                    Contains(images.string()) && Contains("images of 27x28 pixels, expected 28x28"));

  const fs::path missing = dir / "t10k-images-idx3-ubyte.gz";
  CHECK_THROWS_WITH(ag::nn::load_fashion_mnist(dir.path(), ag::nn::Split::Test),
                    Contains(missing.string()) && Contains("No such file"));
}

TEST_CASE("read_idx refuses a gzip file claiming more data than deflate can expand it to", "[nn][idx]") {
  TempDir dir;
  // 100 MB claimed by a file of a few dozen bytes: refused before the 400 MB tensor is allocated.
  const fs::path claims = write_gzip(dir / "claims.gz", idx_bytes(0x08, {1000, 1000, 100}, "\x01\x02"));
  CHECK_THROWS_WITH(ag::nn::read_idx(claims),
                    Contains(claims.string()) && Contains("the header claims 100000000 bytes of data for shape") &&
                        Contains("more than a gzip file of") && Contains("(deflate expands at most 1032-fold)"));
  // What deflate can reach is accepted: a megabyte of zeros compresses to about a kilobyte.
  const fs::path zeros = write_gzip(dir / "zeros.gz", idx_bytes(0x08, {1000, 1000}, std::string(1000000, '\0')));
  CHECK(fs::file_size(zeros) * 1032 >= 1000000);
  CHECK(ag::nn::read_idx(zeros).sum().item() == 0.0);
}

TEST_CASE("read_idx detects a gzip stream whose end and checksum are cut off or damaged", "[nn][idx]") {
  TempDir dir;
  const fs::path whole = write_gzip(dir / "whole.gz", idx_bytes(0x08, {100, 100}, noisy_bytes(10000)));
  std::ifstream in(whole, std::ios::binary);
  const std::string compressed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The last 8 bytes are the CRC-32 and the length: without them every data byte is still there, unchecked.
  for (const std::size_t cut : {4, 8}) {
    INFO("cut " << cut << " bytes");
    const fs::path trailer = write_plain(dir / "trailer.gz", compressed.substr(0, compressed.size() - cut));
    CHECK_THROWS_WITH(ag::nn::read_idx(trailer, 2),
                      Contains(trailer.string()) &&
                          Contains("the gzip stream is cut off after the 10000 bytes of data: its end and checksum "
                                   "are missing, so the file is truncated"));
  }
  std::string damaged = compressed;
  damaged[damaged.size() - 6] ^= 0x01;  // in the CRC-32
  const fs::path bad_crc = write_plain(dir / "bad_crc.gz", damaged);
  CHECK_THROWS_WITH(ag::nn::read_idx(bad_crc, 2), Contains(bad_crc.string()) && Contains("incorrect data check"));
}

TEST_CASE("read_idx reads only regular files", "[nn][idx]") {
  TempDir dir;
  CHECK_THROWS_WITH(ag::nn::read_idx("/dev/zero"),
                    Contains("read_idx: /dev/zero: is a character device, not a regular file"));
  REQUIRE(::mkfifo((dir / "pipe").c_str(), 0600) == 0);
  CHECK_THROWS_WITH(ag::nn::read_idx(dir / "pipe"), Contains("pipe: is a FIFO, not a regular file"));
  CHECK_THROWS_WITH(ag::nn::read_idx(dir.path()), Contains("is a folder, not a regular file"));
}
