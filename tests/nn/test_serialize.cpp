#include <nn/nn.hpp>

#include <autograd/autograd.hpp>

#include <sys/stat.h>
#include <zlib.h>
#include <catch2/catch.hpp>

#include "temp_dir.hpp"

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

using Catch::Contains;
using test_support::TempDir;

namespace {

namespace fs = std::filesystem;

// int64 values that a double would round: the extremes and 2^53 + 1.
ag::Tensor large_integers() {
  ag::Tensor values = ag::empty({3}, ag::kInt64);
  std::int64_t* data = values.mutable_data<std::int64_t>();
  data[0] = std::numeric_limits<std::int64_t>::min();
  data[1] = (std::int64_t{1} << 53) + 1;
  data[2] = std::numeric_limits<std::int64_t>::max();
  return values;
}

ag::nn::StateDict sample_tensors() {
  return {{"weight", ag::tensor({{1.5, -2.0, 3.25}, {0.0, 1e-30, -7.0}})},
          {"bias", ag::tensor({0.5, -0.25}, ag::kFloat64)},
          {"step", ag::scalar(42.0, ag::kFloat64)},
          {"nothing", ag::zeros({0, 3})},
          {"counts", large_integers()},
          {"mask", ag::tensor({{1.0, 0.0}, {0.0, 1.0}}) > 0.5}};
}

void check_equal(const ag::nn::StateDict& actual, const ag::nn::StateDict& expected) {
  REQUIRE(actual.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO(expected[i].first);
    const ag::Tensor& tensor = actual[i].second;
    CHECK(actual[i].first == expected[i].first);
    REQUIRE(tensor.dtype() == expected[i].second.dtype());
    CHECK(tensor.shape() == expected[i].second.shape());
    ag::dispatch(tensor.dtype(),
                 [&]<class T>(T) { CHECK(tensor.to_vector<T>() == expected[i].second.to_vector<T>()); });
  }
}

// The file fields after the magic: version (4), file size (8), count (4); the first entry starts at 24.
constexpr std::size_t kVersionAt = 8;
constexpr std::size_t kFileSizeAt = 12;
constexpr std::size_t kFirstEntryAt = 24;

// `bytes` with the file size and the checksum made right again, so that a test reaches the check behind them.
std::vector<std::byte> resealed(std::vector<std::byte> bytes) {
  const std::uint64_t size = bytes.size();
  std::memcpy(bytes.data() + kFileSizeAt, &size, sizeof size);
  const auto crc = static_cast<std::uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size() - 4)));
  std::memcpy(bytes.data() + bytes.size() - 4, &crc, sizeof crc);
  return bytes;
}

// The bytes of a file with one float32 entry named "w" of shape [2]: name length at 24, name at 28, dtype at 29,
// ndim at 30, the size at 31, data at 39.
std::vector<std::byte> one_entry_file() { return ag::nn::serialize({{"w", ag::tensor({1.0, 2.0})}}); }

std::string error_of(const std::vector<std::byte>& bytes) {
  try {
    ag::nn::deserialize(bytes, "model.ckpt");
  } catch (const ag::Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("tensors round-trip through the file format exactly", "[nn][serialize]") {
  const auto tensors = sample_tensors();
  check_equal(ag::nn::deserialize(ag::nn::serialize(tensors), "memory"), tensors);

  TempDir dir;
  ag::nn::save(tensors, dir / "tensors.bin");
  check_equal(ag::nn::load(dir / "tensors.bin"), tensors);
}

TEST_CASE("a version 1 file, from before int64 and bool, still loads", "[nn][serialize]") {
  auto bytes = one_entry_file();
  bytes[kVersionAt] = std::byte{1};
  const auto loaded = ag::nn::deserialize(resealed(bytes), "old.ckpt");
  REQUIRE(loaded.size() == 1);
  CHECK(loaded[0].second.to_vector() == std::vector<double>{1.0, 2.0});
}

TEST_CASE("a view is saved as its own elements", "[nn][serialize]") {
  const auto matrix = ag::tensor({{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}});
  const auto loaded =
      ag::nn::deserialize(ag::nn::serialize({{"row", matrix[1]}, {"rows", matrix.slice(0, 1, 3)}}), "m");
  CHECK(loaded[0].second.to_vector() == std::vector<double>{3.0, 4.0});
  CHECK(loaded[1].second.to_vector() == std::vector<double>{3.0, 4.0, 5.0, 6.0});
}

TEST_CASE("serialize refuses undefined tensors and bad or repeated names", "[nn][serialize]") {
  CHECK_THROWS_WITH(ag::nn::serialize({{"w", ag::Tensor()}}), Contains("entry 'w' is an undefined tensor"));
  CHECK_THROWS_WITH(ag::nn::serialize({{"", ag::zeros({1})}}), Contains("an entry has an empty name"));
  CHECK_THROWS_WITH(ag::nn::serialize({{"w", ag::zeros({1})}, {"w", ag::ones({1})}}),
                    Contains("the name 'w' is given twice"));
  CHECK_THROWS_WITH(ag::nn::serialize({{std::string(5000, 'x'), ag::zeros({1})}}),
                    Contains("has 5000 bytes, at most 4096"));
}

TEST_CASE("every truncation of a file is reported, never misread", "[nn][serialize]") {
  const auto bytes = ag::nn::serialize(sample_tensors());
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    INFO("length " << length);
    const std::vector<std::byte> prefix(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(length));
    const std::string error = error_of(prefix);
    CHECK_THAT(error, Contains("model.ckpt: "));
    if (length >= kFirstEntryAt) CHECK_THAT(error, Contains("truncated"));
  }
  CHECK(error_of({}) == "model.ckpt: the file is empty");
}

TEST_CASE("every flipped byte of a file is reported", "[nn][serialize]") {
  const auto bytes = ag::nn::serialize(sample_tensors());
  for (std::size_t at = 0; at < bytes.size(); ++at) {
    INFO("byte " << at);
    auto damaged = bytes;
    damaged[at] ^= std::byte{0x20};
    CHECK_THAT(error_of(damaged), Contains("model.ckpt: "));
  }
  auto damaged = bytes;
  damaged[kFirstEntryAt + 10] ^= std::byte{1};
  CHECK_THAT(error_of(damaged), Contains("checksum mismatch") && Contains("truncated or corrupt"));
}

TEST_CASE("deserialize names each problem of a damaged file", "[nn][serialize]") {
  SECTION("not the format") {
    std::vector<std::byte> text(40, std::byte{'x'});
    CHECK(error_of(text) == "model.ckpt: not a tensor file (it does not start with \"AGTENSOR\")");
  }
  SECTION("a newer version") {
    auto bytes = one_entry_file();
    bytes[kVersionAt] = std::byte{3};
    CHECK_THAT(error_of(bytes), Contains("format version 3 is not supported (this build reads versions 1 and 2)"));
  }
  SECTION("bytes after the end") {
    auto bytes = one_entry_file();
    bytes.push_back(std::byte{0});
    CHECK_THAT(error_of(bytes), Contains("trailing bytes: the header says the file has 51 bytes, but it has 52"));
  }
  SECTION("an unknown dtype") {
    auto bytes = one_entry_file();
    bytes[29] = std::byte{7};
    CHECK_THAT(error_of(resealed(bytes)),
               Contains("entry 'w' has dtype code 7; format version 2 has 0 (float32), 1 (float64), 2 (int64) or 3 "
                        "(bool)"));
  }
  SECTION("an int64 entry in a version 1 file") {
    auto bytes = one_entry_file();
    bytes[kVersionAt] = std::byte{1};
    bytes[29] = std::byte{2};
    CHECK_THAT(error_of(resealed(bytes)),
               Contains("entry 'w' has dtype code 2; format version 1 has 0 (float32) or 1 (float64)"));
  }
  SECTION("a bool that is neither 0 nor 1") {
    auto bytes = ag::nn::serialize({{"m", ag::tensor({1.0, 0.0}) > 0.5}});
    bytes[40] = std::byte{2};  // the second element: the data starts at 39, as in one_entry_file()
    CHECK_THAT(error_of(resealed(bytes)), Contains("entry 'm' is bool, but element 1 is the byte 2, not 0 or 1"));
  }
  SECTION("too many dimensions") {
    auto bytes = one_entry_file();
    bytes[30] = std::byte{9};
    CHECK_THAT(error_of(resealed(bytes)), Contains("entry 'w' has 9 dimensions; at most 8"));
  }
  SECTION("a size larger than the data") {
    auto bytes = one_entry_file();
    bytes[31] = std::byte{3};
    CHECK_THAT(error_of(resealed(bytes)), Contains("truncated: entry 'w' of shape [3] needs 12 bytes of data"));
  }
  SECTION("a size that would overflow") {
    auto bytes = one_entry_file();
    const std::int64_t huge = std::int64_t{1} << 62;
    std::memcpy(bytes.data() + 31, &huge, sizeof huge);
    CHECK_THAT(error_of(resealed(bytes)), Contains("more elements than a tensor can hold"));
  }
  SECTION("a negative size") {
    auto bytes = one_entry_file();
    bytes[38] = std::byte{0x80};
    CHECK_THAT(error_of(resealed(bytes)), Contains("entry 'w' has a negative size"));
  }
  SECTION("a repeated name") {
    auto two = ag::nn::serialize({{"a", ag::zeros({1})}, {"b", ag::zeros({1})}});
    const auto second_name = std::find(two.begin() + kFirstEntryAt + 5, two.end(), std::byte{'b'});
    *second_name = std::byte{'a'};
    CHECK_THAT(error_of(resealed(two)), Contains("the entry 'a' appears twice"));
  }
  SECTION("an empty name") {
    auto bytes = one_entry_file();
    bytes[kFirstEntryAt] = std::byte{0};
    CHECK_THAT(error_of(resealed(bytes)), Contains("entry 0 has a name of 0 bytes"));
  }
}

TEST_CASE("load names a missing file, and save an unwritable place", "[nn][serialize]") {
  TempDir dir;
  CHECK_THROWS_WITH(ag::nn::load(dir / "absent.bin"), Contains("absent.bin: cannot open the file: No such file"));
  CHECK_THROWS_WITH(ag::nn::save(sample_tensors(), dir / "no" / "such" / "folder.bin"),
                    Contains("folder.bin: cannot create a temporary file beside it: No such file"));
}

TEST_CASE("save replaces a file whole and leaves no temporary file behind", "[nn][serialize]") {
  TempDir dir;
  const fs::path path = dir / "tensors.bin";
  ag::nn::save({{"old", ag::ones({1000})}}, path);
  ::chmod(path.c_str(), 0640);
  ag::nn::save(sample_tensors(), path);
  check_equal(ag::nn::load(path), sample_tensors());
  CHECK((fs::status(path).permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read));
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
}

TEST_CASE("save gives a new file the permissions open() would, under the process's umask", "[nn][serialize]") {
  TempDir dir;
  const mode_t previous = ::umask(077);
  ag::nn::save(sample_tensors(), dir / "private.bin");
  ::umask(022);
  ag::nn::save(sample_tensors(), dir / "shared.bin");
  ::umask(previous);
  CHECK((fs::status(dir / "private.bin").permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write));
  CHECK((fs::status(dir / "shared.bin").permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read));
}

// tests/fuzz/make_corpus.py writes these files from the format's documentation alone, without this library.
TEST_CASE("files written from the documented format load", "[nn][serialize]") {
  const fs::path corpus = fs::path(AG_TESTS_DIR) / "fuzz" / "corpus" / "checkpoint";
  auto model = std::make_shared<ag::nn::Sequential>(std::make_shared<ag::nn::Linear>(2, 3));
  ag::optim::SGD sgd(model->parameters(), ag::optim::SGDOptions(0.5));
  const auto extra = ag::nn::load_checkpoint(corpus / "sgd.ckpt", *model, &sgd);
  CHECK(model->named_parameters()[0].second.to_vector() == std::vector<double>{0.5, -1.0, 0.25, 2.0, -0.75, 1.5});
  CHECK(sgd.options().lr() == 0.1);
  CHECK(sgd.options().momentum() == 0.9);
  CHECK(sgd.state(1, "momentum_buffer").to_vector() == std::vector<double>(3, -0.02f));
  REQUIRE(extra.size() == 1);
  CHECK(extra[0].second.item() == 3.0);

  const auto v2_extra = ag::nn::load_checkpoint(corpus / "sgd_v2.ckpt", *model, &sgd);
  REQUIRE(v2_extra.size() == 3);
  CHECK(v2_extra[0].second.dtype() == ag::kInt64);
  CHECK(v2_extra[0].second.item<std::int64_t>() == 3);
  CHECK(v2_extra[1].second.to_vector<bool>() == std::vector<bool>{true, false, true, true});
  CHECK(v2_extra[2].second.to_vector<std::int64_t>() ==
        std::vector<std::int64_t>{std::numeric_limits<std::int64_t>::min(), (std::int64_t{1} << 53) + 1});

  ag::optim::Adam adam(model->parameters());
  ag::nn::load_checkpoint(corpus / "adam.ckpt", *model, &adam);
  CHECK(adam.state(0, "step").item() == 3.0);
  CHECK(!adam.state(1, "exp_avg").defined());
  CHECK(ag::nn::load(corpus / "empty.ckpt").empty());
}

TEST_CASE("load checks the header first and reads only regular files", "[nn][serialize]") {
  TempDir dir;
  // /dev/zero never ends and a FIFO waits for a writer: both are refused when opened.
  CHECK_THROWS_WITH(ag::nn::load("/dev/zero"),
                    Contains("/dev/zero: is a character device, not a regular file; only regular files are read"));
  REQUIRE(::mkfifo((dir / "pipe").c_str(), 0600) == 0);
  CHECK_THROWS_WITH(ag::nn::load(dir / "pipe"), Contains("pipe: is a FIFO, not a regular file"));
  CHECK_THROWS_WITH(ag::nn::load(dir.path()), Contains("is a folder, not a regular file"));

  // 2 GiB (sparse) that are not a tensor file, and 2 GiB behind a valid header that declares less: both refused on
  // their first bytes, never read whole.
  const fs::path big = dir / "big.bin";
  std::ofstream(big, std::ios::binary) << "PK\x03\x04";
  fs::resize_file(big, std::uint64_t{2} << 30);
  CHECK_THROWS_WITH(ag::nn::load(big), Contains("big.bin: not a tensor file (it does not start with \"AGTENSOR\")"));
  const auto header = one_entry_file();
  std::ofstream(big, std::ios::binary).write(reinterpret_cast<const char*>(header.data()), 24);
  fs::resize_file(big, std::uint64_t{2} << 30);
  CHECK_THROWS_WITH(ag::nn::load(big), Contains("trailing bytes: the header says the file has " +
                                                std::to_string(header.size()) + " bytes, but it has 2147483648"));
}

TEST_CASE("save follows symlinks to the file they name, and refuses what is not a regular file", "[nn][serialize]") {
  TempDir dir;
  fs::create_directory(dir / "runs");
  ag::nn::save({{"old", ag::ones({1})}}, dir / "runs" / "model.bin");
  // A chain of two links, relative to their own folders, as PyTorch's torch.save (open()) follows them.
  fs::create_symlink("runs/model.bin", dir / "current.bin");
  fs::create_symlink("current.bin", dir / "latest.bin");
  ag::nn::save(sample_tensors(), dir / "latest.bin");
  CHECK(fs::is_symlink(dir / "latest.bin"));
  CHECK(fs::is_symlink(dir / "current.bin"));
  check_equal(ag::nn::load(dir / "runs" / "model.bin"), sample_tensors());
  CHECK(std::distance(fs::directory_iterator(dir / "runs"), fs::directory_iterator()) == 1);

  // A link to a file that does not exist yet: the file is created where it points.
  fs::create_symlink("runs/new.bin", dir / "dangling.bin");
  ag::nn::save(sample_tensors(), dir / "dangling.bin");
  check_equal(ag::nn::load(dir / "runs" / "new.bin"), sample_tensors());

  REQUIRE(::mkfifo((dir / "pipe").c_str(), 0600) == 0);
  CHECK_THROWS_WITH(ag::nn::save(sample_tensors(), dir / "pipe"),
                    Contains("pipe: is a FIFO, not a regular file; tensors are saved to regular files only"));
  CHECK(fs::is_fifo(dir / "pipe"));
  fs::create_symlink("/dev/null", dir / "null.bin");
  CHECK_THROWS_WITH(ag::nn::save(sample_tensors(), dir / "null.bin"),
                    Contains("null.bin: is a character device (the target of its symlink, /dev/null), not a regular "
                             "file"));
  CHECK_THROWS_WITH(ag::nn::save(sample_tensors(), dir / "runs"), Contains("runs: is a folder, not a regular file"));
  fs::create_symlink("loop.bin", dir / "loop.bin");
  CHECK_THROWS_WITH(ag::nn::save(sample_tensors(), dir / "loop.bin"), Contains("more than 40 symlinks in a chain"));
}
