// libFuzzer target: ag::nn::load_safetensors on any bytes. It must load or throw ag::Error; anything else (a crash, a
// leak, a sanitizer report, an allocation beyond the input's size) is a bug. What loads must save again and load back
// the same: a file the reader accepts is one the writer can represent.

#include <nn/safetensors.hpp>

#include <autograd/error.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "memory_file.hpp"

namespace {

bool same(const ag::nn::StateDict& a, const ag::nn::StateDict& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const ag::Tensor& x = a[i].second;
    const ag::Tensor& y = b[i].second;
    if (a[i].first != b[i].first || x.dtype() != y.dtype() || x.shape() != y.shape()) return false;
    const bool equal = ag::dispatch(x.dtype(), [&]<class T>(T) {
      return x.numel() == 0 || std::memcmp(x.data<T>(), y.data<T>(), x.numel() * sizeof(T)) == 0;
    });
    if (!equal) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::MemoryFile file;
  const auto& path = file.holding(data, size);
  ag::nn::StateDict tensors;
  ag::nn::SafetensorsMetadata metadata;
  try {
    tensors = ag::nn::load_safetensors(path);
    metadata = ag::nn::load_safetensors_metadata(path);
  } catch (const ag::Error&) {
    return 0;
  }
  std::size_t data_bytes = 0;
  for (const auto& [name, tensor] : tensors) data_bytes += tensor.numel() * ag::dtype_size(tensor.dtype());
  if (data_bytes > size) std::abort();  // the data read cannot exceed the file
  const auto saved = ag::nn::serialize_safetensors(tensors, metadata);
  const auto again = ag::nn::deserialize_safetensors(saved, "saved again");
  // Loading returns tensors in the file's data order and saving writes them in the reference order: compare sorted.
  auto by_name = [](const auto& x, const auto& y) { return x.first < y.first; };
  std::sort(tensors.begin(), tensors.end(), by_name);
  auto sorted_again = again;
  std::sort(sorted_again.begin(), sorted_again.end(), by_name);
  if (!same(tensors, sorted_again)) std::abort();
  return 0;
}
