// Runs a fuzz target over files instead of under libFuzzer, so that the ordinary (GCC) build's ctest replays the
// seed corpus and every regression input. Arguments are files or folders of files.

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

// Returns the number of files replayed.
int replay(const std::filesystem::path& path) {
  if (std::filesystem::is_directory(path)) {
    int files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(path)) files += replay(entry.path());
    return files;
  }
  std::ifstream in(path, std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  int inputs = 0;
  for (int i = 1; i < argc; ++i) inputs += replay(argv[i]);
  std::printf("replayed %d inputs\n", inputs);
  return inputs > 0 ? 0 : 1;
}
