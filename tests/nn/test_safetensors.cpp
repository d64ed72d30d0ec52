#include <nn/activation.hpp>
#include <nn/linear.hpp>
#include <nn/safetensors.hpp>
#include <nn/sequential.hpp>

#include <autograd/autograd.hpp>

#include <sys/stat.h>
#include <catch2/catch.hpp>

#include "temp_dir.hpp"

#include <cstdint>
#include <cstdlib>
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

// The tensors that tests/nn/safetensors_roundtrip.py knows too: PyTorch state_dict names, every dtype, a 0-d and an
// empty tensor, values a double would round.
ag::nn::StateDict sample_tensors() {
  ag::Tensor steps = ag::empty({3}, ag::kInt64);
  std::int64_t* data = steps.mutable_data<std::int64_t>();
  data[0] = std::numeric_limits<std::int64_t>::min();
  data[1] = (std::int64_t{1} << 53) + 1;
  data[2] = std::numeric_limits<std::int64_t>::max();
  const double inf = std::numeric_limits<double>::infinity();
  return {{"0.weight", ag::tensor({{-1.0, -0.5, 0.0}, {0.5, 1.0, 1.5}})},
          {"0.bias", ag::tensor({0.1, -0.2})},
          {"2.weight", ag::tensor({{1e-300, -2.5}, {3.0, inf}}, ag::kFloat64)},
          {"steps", steps},
          {"mask", ag::tensor({{1.0, 0.0}, {0.0, 1.0}}) > 0.5},
          {"scale", ag::scalar(3.25, ag::kFloat32)},
          {"empty", ag::zeros({0, 3})}};
}

const ag::Tensor* find(const ag::nn::StateDict& tensors, const std::string& name) {
  for (const auto& [key, tensor] : tensors)
    if (key == name) return &tensor;
  return nullptr;
}

// Equal names, dtypes, shapes and values, whatever the order.
void check_same_tensors(const ag::nn::StateDict& actual, const ag::nn::StateDict& expected) {
  REQUIRE(actual.size() == expected.size());
  for (const auto& [name, tensor] : expected) {
    INFO(name);
    const ag::Tensor* found = find(actual, name);
    REQUIRE(found != nullptr);
    REQUIRE(found->dtype() == tensor.dtype());
    CHECK(found->shape() == tensor.shape());
    ag::dispatch(tensor.dtype(), [&]<class T>(T) { CHECK(found->to_vector<T>() == tensor.to_vector<T>()); });
  }
}

std::vector<std::string> names_of(const ag::nn::StateDict& tensors) {
  std::vector<std::string> names;
  for (const auto& entry : tensors) names.push_back(entry.first);
  return names;
}

// A file of the format: the 8-byte length of `header`, `header`, then `data_bytes` bytes of `fill`.
std::vector<std::byte> file_with_header(const std::string& header, std::size_t data_bytes,
                                        std::byte fill = std::byte{0}) {
  std::vector<std::byte> bytes(8 + header.size() + data_bytes, fill);
  const std::uint64_t length = header.size();
  std::memcpy(bytes.data(), &length, 8);
  std::memcpy(bytes.data() + 8, header.data(), header.size());
  return bytes;
}

std::string error_of(const std::vector<std::byte>& bytes) {
  try {
    ag::nn::deserialize_safetensors(bytes, "model.safetensors");
  } catch (const ag::Error& e) {
    return e.what();
  }
  return "no error";
}

void write_file(const fs::path& path, const std::vector<std::byte>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("safetensors round-trips every dtype exactly, in the reference writer's order", "[nn][safetensors]") {
  const auto tensors = sample_tensors();
  const auto read = ag::nn::deserialize_safetensors(ag::nn::serialize_safetensors(tensors), "memory");
  check_same_tensors(read, tensors);
  // Widest dtype first (int64, float64, float32, bool), then by name: the order of the data in the file.
  CHECK(names_of(read) ==
        std::vector<std::string>{"steps", "2.weight", "0.bias", "0.weight", "empty", "scale", "mask"});

  TempDir dir;
  ag::nn::save_safetensors(dir / "model.safetensors", tensors);
  check_same_tensors(ag::nn::load_safetensors(dir / "model.safetensors"), tensors);
  CHECK(ag::nn::load_safetensors_metadata(dir / "model.safetensors").empty());
}

TEST_CASE("save_safetensors writes the header as the reference writer does", "[nn][safetensors]") {
  const auto bytes = ag::nn::serialize_safetensors(
      {{"b", ag::tensor({1.0, 2.0})}, {"a", ag::scalar(4.0, ag::kFloat64)}}, {{"format", "pt"}});
  const std::string json = R"({"__metadata__":{"format":"pt"},)"
                           R"("a":{"dtype":"F64","shape":[],"data_offsets":[0,8]},)"
                           R"("b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})";
  const std::string padded = json + std::string((8 - json.size() % 8) % 8, ' ');
  REQUIRE(bytes.size() == 8 + padded.size() + 16);
  std::uint64_t length = 0;
  std::memcpy(&length, bytes.data(), 8);
  CHECK(length == padded.size());
  CHECK(std::string(reinterpret_cast<const char*>(bytes.data()) + 8, padded.size()) == padded);
  double a = 0;
  float b[2] = {};
  std::memcpy(&a, bytes.data() + 8 + padded.size(), 8);
  std::memcpy(b, bytes.data() + 8 + padded.size() + 8, 8);
  CHECK(a == 4.0);
  CHECK((b[0] == 1.0f && b[1] == 2.0f));
}

TEST_CASE("safetensors keeps the metadata, and a view is saved as its own elements", "[nn][safetensors]") {
  TempDir dir;
  const ag::Tensor matrix = ag::tensor({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  ag::nn::save_safetensors(dir / "t.safetensors", {{"column", matrix.t()}}, {{"epoch", "3"}, {"format", "pt"}});
  CHECK(ag::nn::load_safetensors_metadata(dir / "t.safetensors") ==
        ag::nn::SafetensorsMetadata{{"epoch", "3"}, {"format", "pt"}});
  const auto read = ag::nn::load_safetensors(dir / "t.safetensors");
  REQUIRE(read.size() == 1);
  CHECK(read[0].second.shape() == ag::Shape{3, 2});
  CHECK(read[0].second.to_vector() == std::vector<double>{1, 4, 2, 5, 3, 6});
}

TEST_CASE("a file written from the format's documentation loads, in data order", "[nn][safetensors]") {
  // Listed out of data order, unpadded, and with the int64 at an odd offset: all allowed by the format.
  const std::string header = R"({"z":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                             R"("b":{"data_offsets":[9,17],"shape":[1],"dtype":"I64"},)"
                             R"("a":{"dtype":"BOOL","shape":[1],"data_offsets":[8,9]}})";
  auto bytes = file_with_header(header, 17);
  const float z[2] = {0.5f, -3.0f};
  const std::int64_t b = -7;
  std::memcpy(bytes.data() + 8 + header.size(), z, 8);
  bytes[8 + header.size() + 8] = std::byte{1};
  std::memcpy(bytes.data() + 8 + header.size() + 9, &b, 8);
  const auto read = ag::nn::deserialize_safetensors(bytes, "hand.safetensors");
  CHECK(names_of(read) == std::vector<std::string>{"z", "a", "b"});
  CHECK(read[0].second.to_vector() == std::vector<double>{0.5, -3.0});
  CHECK(read[1].second.to_vector<bool>() == std::vector<bool>{true});
  CHECK(read[2].second.to_vector<std::int64_t>() == std::vector<std::int64_t>{-7});
}

// tests/fuzz/make_corpus.py writes these files from the format's documentation alone, without this library.
TEST_CASE("the seed corpus, written from the format's documentation, loads", "[nn][safetensors]") {
  const fs::path corpus = fs::path(AG_TESTS_DIR) / "fuzz" / "corpus" / "safetensors";
  const auto sequential = ag::nn::load_safetensors(corpus / "sequential.safetensors");
  CHECK(names_of(sequential) == std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"});
  CHECK(sequential[0].second.to_vector() == std::vector<double>{0.5, -1.0, 0.25, 2.0, -0.75, 1.5});
  CHECK(ag::nn::load_safetensors_metadata(corpus / "sequential.safetensors") ==
        ag::nn::SafetensorsMetadata{{"format", "pt"}});
  const auto dtypes = ag::nn::load_safetensors(corpus / "dtypes.safetensors");
  REQUIRE(names_of(dtypes) == std::vector<std::string>{"scale", "mask", "steps", "none"});
  CHECK(dtypes[0].second.item() == 0.5);
  CHECK(dtypes[1].second.to_vector<bool>() == std::vector<bool>{true, false, false, true});
  CHECK(dtypes[2].second.to_vector<std::int64_t>() ==
        std::vector<std::int64_t>{std::numeric_limits<std::int64_t>::min(), (std::int64_t{1} << 53) + 1});
  CHECK(dtypes[3].second.shape() == ag::Shape{0, 3});
  CHECK(ag::nn::load_safetensors(corpus / "empty.safetensors").empty());
  CHECK(ag::nn::load_safetensors_metadata(corpus / "metadata_only.safetensors").size() == 2);
}

TEST_CASE("a Sequential's state_dict moves through safetensors under PyTorch's names", "[nn][safetensors]") {
  auto make = [] {
    return std::make_shared<ag::nn::Sequential>(std::make_shared<ag::nn::Linear>(2, 3),
                                                std::make_shared<ag::nn::ReLU>(),
                                                std::make_shared<ag::nn::Linear>(3, 1));
  };
  auto trained = make();
  CHECK(names_of(trained->state_dict()) == std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"});
  TempDir dir;
  ag::nn::save_safetensors(dir / "mlp.safetensors", trained->state_dict());
  auto fresh = make();
  fresh->load_state_dict(ag::nn::load_safetensors(dir / "mlp.safetensors"), "mlp.safetensors");
  check_same_tensors(fresh->state_dict(), trained->state_dict());
}

TEST_CASE("a safetensors file written by PyTorch loads, and one written here is read back by PyTorch",
          "[nn][safetensors][python]") {
  if (std::system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") != 0) {
    WARN("skipped: /usr/bin/python3 cannot import torch (Debian's python3-torch)");
    return;
  }
  TempDir dir;
  ag::nn::save_safetensors(dir / "from_ag.safetensors", sample_tensors(), {{"written_by", "ag"}});
  const std::string command = "/usr/bin/python3 '" +
                              (fs::path(AG_TESTS_DIR) / "nn" / "safetensors_roundtrip.py").string() + "' '" +
                              (dir / "from_ag.safetensors").string() + "' '" +
                              (dir / "from_python.safetensors").string() + "' 2>" + (dir / "python.log").string();
  const int status = std::system(command.c_str());
  INFO("the script's errors: " << read_text(dir / "python.log"));
  REQUIRE(status == 0);
  check_same_tensors(ag::nn::load_safetensors(dir / "from_python.safetensors"), sample_tensors());
  CHECK(ag::nn::load_safetensors_metadata(dir / "from_python.safetensors") ==
        ag::nn::SafetensorsMetadata{{"format", "pt"}});
}

TEST_CASE("serialize_safetensors refuses undefined tensors and bad or repeated names", "[nn][safetensors]") {
  CHECK_THROWS_WITH(ag::nn::serialize_safetensors({{"", ag::zeros({1})}}), Contains("a tensor has an empty name"));
  CHECK_THROWS_WITH(ag::nn::serialize_safetensors({{"__metadata__", ag::zeros({1})}}),
                    Contains("which the format reserves for the metadata"));
  CHECK_THROWS_WITH(ag::nn::serialize_safetensors({{"a", ag::zeros({1})}, {"a", ag::zeros({1})}}),
                    Contains("the name 'a' is given twice"));
  CHECK_THROWS_WITH(ag::nn::serialize_safetensors({{"a", ag::Tensor()}}), Contains("tensor 'a' is undefined"));
  CHECK_THROWS_WITH(ag::nn::serialize_safetensors({{"bad\xff", ag::zeros({1})}}), Contains("not valid UTF-8"));
}

TEST_CASE("every truncation of a safetensors file is reported, never misread", "[nn][safetensors]") {
  const auto bytes = ag::nn::serialize_safetensors(sample_tensors(), {{"format", "pt"}});
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    INFO("truncated to " << size << " of " << bytes.size() << " bytes");
    CHECK_THROWS_AS(ag::nn::deserialize_safetensors(std::span(bytes).first(size), "cut.safetensors"), ag::Error);
  }
}

TEST_CASE("every flipped byte of a safetensors header is reported or read as what it says", "[nn][safetensors]") {
  const auto bytes = ag::nn::serialize_safetensors(sample_tensors());
  std::uint64_t header_end = 0;
  std::memcpy(&header_end, bytes.data(), 8);
  header_end += 8;
  int reported = 0;
  for (std::size_t at = 0; at < header_end; ++at) {
    INFO("byte " << at);
    auto flipped = bytes;
    flipped[at] ^= std::byte{0x20};
    try {
      for (const auto& [name, tensor] : ag::nn::deserialize_safetensors(flipped, "flipped.safetensors"))
        CHECK(tensor.numel() * static_cast<std::int64_t>(ag::dtype_size(tensor.dtype())) <=
              static_cast<std::int64_t>(bytes.size()));
    } catch (const ag::Error&) {
      ++reported;
    }
  }
  // Most flips break the JSON or the offsets; a changed letter of a name is a valid file.
  CHECK(reported > static_cast<int>(header_end) / 2);
}

TEST_CASE("deserialize_safetensors names each problem of a damaged file and the tensor", "[nn][safetensors]") {
  const auto with = [](const std::string& info, std::size_t data_bytes = 8) {
    return error_of(file_with_header(R"({"w":)" + info + "}", data_bytes));
  };
  CHECK_THAT(error_of(std::vector<std::byte>(3)),
             Contains("model.safetensors: not a safetensors file: 3 bytes, too few for the 8-byte header length"));
  auto long_header = file_with_header("{}", 10);
  long_header[0] = std::byte{0xe8};
  long_header[1] = std::byte{0x03};
  CHECK_THAT(error_of(long_header), Contains("the header length is 1000 bytes, but only 12 follow it"));
  long_header[5] = std::byte{1};
  CHECK_THAT(error_of(long_header), Contains("more than the 100000000 read (kMaxSafetensorsHeaderBytes)"));
  CHECK_THAT(error_of(file_with_header("[]", 0)), Contains("the header does not start with '{'"));
  CHECK_THAT(error_of(file_with_header(R"({"w":)", 0)), Contains("the header is not valid JSON"));
  CHECK_THAT(error_of(file_with_header("{\"w\xff\":1}", 0)), Contains("the header is not valid JSON"));
  CHECK_THAT(error_of(file_with_header(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                       R"("w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                       8)),
             Contains("the header gives the key 'w' twice in one object"));
  CHECK_THAT(with(R"({"dtype":"F16","shape":[2],"data_offsets":[0,8],"dtype":"F32"})"),
             Contains("the header gives the key 'dtype' twice in one object"));
  CHECK_THAT(error_of(file_with_header(R"({"":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 8)),
             Contains("model.safetensors: a tensor has an empty name"));
  CHECK_THAT(error_of(file_with_header(R"({")" + std::string(5000, 'n') +
                                           R"(":{"dtype":"F32","shape":[2],)"
                                           R"("data_offsets":[0,8]}})",
                                       8)),
             Contains("the tensor name 'nnnn") && Contains("...' has 5000 bytes, at most 4096 are read"));
  CHECK_THAT(with("[1]"), Contains("tensor 'w' is described by [1], not an object with dtype, shape and data_offsets"));

  CHECK_THAT(with(R"({"shape":[2],"data_offsets":[0,8]})"), Contains("tensor 'w' has no \"dtype\" in the header"));
  CHECK_THAT(with(R"({"dtype":5,"shape":[2],"data_offsets":[0,8]})"), Contains("tensor 'w' has dtype 5, not a string"));
  CHECK_THAT(with(R"({"dtype":"F16","shape":[2],"data_offsets":[0,4]})", 4),
             Contains("model.safetensors: tensor 'w' has dtype \"F16\", which this build does not read (it reads F32, "
                      "F64, I64 and BOOL); convert it in PyTorch before saving"));

  CHECK_THAT(with(R"({"dtype":"F32","data_offsets":[0,8]})"), Contains("tensor 'w' has no \"shape\""));
  CHECK_THAT(with(R"({"dtype":"F32","shape":"2","data_offsets":[0,8]})"),
             Contains("tensor 'w' has shape \"2\", not a list of sizes"));
  CHECK_THAT(with(R"({"dtype":"F32","shape":[-2],"data_offsets":[0,8]})"),
             Contains("tensor 'w' has shape [-2]; sizes are non-negative integers"));
  CHECK_THAT(with(R"({"dtype":"F32","shape":[2.0],"data_offsets":[0,8]})"),
             Contains("tensor 'w' has shape [2.0]; sizes are non-negative integers"));
  // Nested a million deep: refused, and neither parsing, printing nor freeing it recurses.
  const std::string deep = std::string(1000000, '[') + std::string(1000000, ']');
  CHECK_THAT(with(R"({"dtype":"F32","shape":)" + deep + R"(,"data_offsets":[0,8]})"),
             Contains("tensor 'w' has shape a nested list; sizes are non-negative integers"));
  CHECK_THAT(with(R"({"dtype":"F32","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,4]})"),
             Contains("tensor 'w' has 9 dimensions; at most 8 are supported"));
  CHECK_THAT(with(R"({"dtype":"F32","shape":[1048576,1048576,1048576],"data_offsets":[0,8]})"),
             Contains("more elements than a tensor can hold"));
  CHECK_THAT(with(R"({"dtype":"F32","shape":[18446744073709551615,0],"data_offsets":[0,0]})", 0),
             Contains("more elements than a tensor can hold"));

  CHECK_THAT(with(R"({"dtype":"F32","shape":[2]})"), Contains("tensor 'w' has no \"data_offsets\""));
  CHECK_THAT(with(R"({"dtype":"F32","shape":[2],"data_offsets":[0]})"),
             Contains("tensor 'w' has data_offsets [0]; expected [begin, end], two non-negative integers"));
  CHECK_THAT(with(R"({"dtype":"F32","shape":[2],"data_offsets":[8,0]})"),
             Contains("tensor 'w' has data_offsets [8, 0], which end before they begin"));
  CHECK_THAT(with(R"({"dtype":"F32","shape":[4],"data_offsets":[0,16]})"),
             Contains("truncated: tensor 'w' has data_offsets [0, 16], past the end of the 8 bytes of data"));
  CHECK_THAT(with(R"({"dtype":"F32","shape":[3],"data_offsets":[0,8]})"),
             Contains("tensor 'w' of dtype F32 and shape [3] needs 12 bytes, but its data_offsets [0, 8] hold 8"));

  CHECK_THAT(error_of(file_with_header(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                       R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                       12)),
             Contains("tensor 'b' (data_offsets [4, 12]) overlaps tensor 'a' (data_offsets [0, 8])"));
  CHECK_THAT(with(R"({"dtype":"F32","shape":[2],"data_offsets":[4,12]})", 12),
             Contains("tensor 'w' starts at data offset 4, leaving 4 bytes before it that no tensor holds"));
  CHECK_THAT(with(R"({"dtype":"F32","shape":[2],"data_offsets":[0,8]})", 12),
             Contains("4 bytes after the last tensor's data belong to no tensor"));
  CHECK_THAT(error_of(file_with_header(R"({"m":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}})", 2, std::byte{2})),
             Contains("tensor 'm' is BOOL, but element 0 is the byte 2, not 0 or 1"));

  CHECK_THAT(error_of(file_with_header(R"({"__metadata__":[1]})", 0)),
             Contains("\"__metadata__\" is [1], not an object of strings"));
  CHECK_THAT(error_of(file_with_header(R"({"__metadata__":{"epoch":3}})", 0)),
             Contains("\"__metadata__\" has \"epoch\": 3, but its values are strings"));
}

TEST_CASE("load_safetensors reads only regular files, and checks the header against the file's size first",
          "[nn][safetensors]") {
  TempDir dir;
  CHECK_THROWS_WITH(ag::nn::load_safetensors(dir / "absent.safetensors"),
                    Contains("absent.safetensors: cannot open the file: No such file or directory"));
  CHECK_THROWS_WITH(ag::nn::load_safetensors("/dev/zero"),
                    Contains("/dev/zero: is a character device, not a regular file; only regular files are read"));
  CHECK_THROWS_WITH(ag::nn::load_safetensors(dir.path()), Contains("is a folder, not a regular file"));
  // Opening a FIFO for reading would wait for a writer that never comes.
  REQUIRE(::mkfifo((dir / "pipe").c_str(), 0600) == 0);
  CHECK_THROWS_WITH(ag::nn::load_safetensors(dir / "pipe"), Contains("pipe: is a FIFO, not a regular file"));

  // 2 GiB that are not safetensors (a sparse file): refused on the first 8 bytes, never read whole.
  const fs::path big = dir / "big.bin";
  write_file(big, {std::byte{'P'}, std::byte{'K'}, std::byte{3}, std::byte{4}, std::byte{0}, std::byte{0}, std::byte{0},
                   std::byte{0}});
  fs::resize_file(big, std::uint64_t{2} << 30);
  CHECK_THROWS_WITH(ag::nn::load_safetensors(big),
                    Contains("big.bin: not a safetensors file: the header does not start with '{'"));
}

TEST_CASE("save_safetensors follows a symlink to the file it replaces, and refuses what is not a file",
          "[nn][safetensors]") {
  TempDir dir;
  fs::create_directory(dir / "weights");
  ag::nn::save_safetensors(dir / "weights" / "v1.safetensors", {{"old", ag::zeros({1})}});
  fs::create_symlink("weights/v1.safetensors", dir / "latest.safetensors");
  ag::nn::save_safetensors(dir / "latest.safetensors", sample_tensors());
  CHECK(fs::is_symlink(dir / "latest.safetensors"));
  check_same_tensors(ag::nn::load_safetensors(dir / "weights" / "v1.safetensors"), sample_tensors());

  REQUIRE(::mkfifo((dir / "pipe").c_str(), 0600) == 0);
  CHECK_THROWS_WITH(ag::nn::save_safetensors(dir / "pipe", sample_tensors()),
                    Contains("pipe: is a FIFO, not a regular file; tensors are saved to regular files only"));
  CHECK(fs::is_fifo(dir / "pipe"));
  CHECK_THROWS_WITH(ag::nn::save_safetensors("/dev/null", sample_tensors()),
                    Contains("/dev/null: is a character device, not a regular file"));
}
