// libFuzzer target: the checkpoint reader on any bytes. Each input is read twice: as it is, and with its size field
// and checksum made right, so that the fuzzer reaches the entry parser and the checks against a model and an
// optimiser behind the checksum. Either must load or throw ag::Error; anything else is a bug.

#include <nn/nn.hpp>

#include <zlib.h>

#include <cstring>
#include <vector>

#include "memory_file.hpp"

namespace {

// Where the format keeps its file size (after the magic and the version), and the checksum's size.
constexpr std::size_t kFileSizeAt = 12;
constexpr std::size_t kChecksumBytes = 4;

std::vector<std::uint8_t> resealed(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> bytes(data, data + size);
  if (bytes.size() < kFileSizeAt + 8 + kChecksumBytes) return bytes;
  const std::uint64_t file_size = bytes.size();
  std::memcpy(bytes.data() + kFileSizeAt, &file_size, sizeof file_size);
  const auto crc = static_cast<std::uint32_t>(crc32(0, bytes.data(), static_cast<uInt>(bytes.size() - kChecksumBytes)));
  std::memcpy(bytes.data() + bytes.size() - kChecksumBytes, &crc, sizeof crc);
  return bytes;
}

// The model and optimiser the seed corpus was saved from (tests/fuzz/make_corpus.py).
void load_into_model(const std::filesystem::path& path) {
  auto model = std::make_shared<ag::nn::Sequential>(std::make_shared<ag::nn::Linear>(2, 3));
  ag::optim::SGD sgd(model->parameters(), ag::optim::SGDOptions(0.1).momentum(0.9));
  ag::nn::load_checkpoint(path, *model, &sgd);
  ag::optim::Adam adam(model->parameters());
  ag::nn::load_checkpoint(path, *model, &adam);
}

void read(fuzz::MemoryFile& file, const std::uint8_t* data, std::size_t size) {
  try {
    const auto& path = file.holding(data, size);
    ag::nn::load(path);
    load_into_model(path);
  } catch (const ag::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::MemoryFile file;
  read(file, data, size);
  const std::vector<std::uint8_t> bytes = resealed(data, size);
  read(file, bytes.data(), bytes.size());
  return 0;
}
