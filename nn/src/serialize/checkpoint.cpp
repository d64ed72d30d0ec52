#include <nn/serialize.hpp>

#include "serialize/file_io.hpp"
#include "serialize/format.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace ag::nn {

namespace {

constexpr std::string_view kModelPrefix = "model.";
constexpr std::string_view kOptimizerPrefix = "optimizer.";
constexpr std::string_view kExtraPrefix = "extra.";

void append_with_prefix(StateDict& out, std::string_view prefix, const StateDict& entries) {
  for (const auto& [name, tensor] : entries) out.emplace_back(std::string(prefix) + name, tensor);
}

}  // namespace

void save(const StateDict& tensors, const std::filesystem::path& path) {
  detail::write_file_atomically(path, serialize(tensors));
}

StateDict load(const std::filesystem::path& path) {
  const detail::InputFile file(path);
  // The header first: a file that is not a tensor file, or whose size is not the one it declares, is refused before
  // its body is read or any memory is set aside for it.
  std::vector<std::byte> bytes(std::min<std::uint64_t>(file.size(), detail::kTensorFileHeaderBytes));
  file.read_at(0, bytes, "the header");
  detail::check_tensor_file_header(bytes, file.size(), file.label());
  bytes.resize(file.size());
  file.read_at(0, bytes, "the file");
  return deserialize(bytes, file.label());
}

void save_checkpoint(const std::filesystem::path& path, const Module& module, const optim::Optimizer* optimizer,
                     const StateDict& extra) {
  StateDict entries;
  append_with_prefix(entries, kModelPrefix, module.state_dict());
  if (optimizer != nullptr) append_with_prefix(entries, kOptimizerPrefix, optimizer->state_dict());
  append_with_prefix(entries, kExtraPrefix, extra);
  save(entries, path);
}

StateDict load_checkpoint(const std::filesystem::path& path, Module& module, optim::Optimizer* optimizer) {
  const std::string source = path.string();
  StateDict model_state;
  StateDict optimizer_state;
  StateDict extra;
  for (auto& [name, tensor] : load(path)) {
    if (name.starts_with(kModelPrefix))
      model_state.emplace_back(name.substr(kModelPrefix.size()), std::move(tensor));
    else if (name.starts_with(kOptimizerPrefix))
      optimizer_state.emplace_back(name.substr(kOptimizerPrefix.size()), std::move(tensor));
    else if (name.starts_with(kExtraPrefix))
      extra.emplace_back(name.substr(kExtraPrefix.size()), std::move(tensor));
    else
      fail("{}: entry '{}' is not part of a checkpoint (names start with model., optimizer. or extra.)", source, name);
  }
  module.check_state_dict(model_state, source);
  if (optimizer != nullptr) {
    if (optimizer_state.empty())
      fail("{}: the checkpoint holds no optimizer state, but an optimizer was given", source);
    optimizer->check_state_dict(optimizer_state, source);
  }
  // Both checks passed, so loading cannot fail (short of running out of memory): the module and the optimiser
  // change together or not at all.
  module.load_state_dict(model_state, source);
  if (optimizer != nullptr) optimizer->load_state_dict(optimizer_state, source);
  return extra;
}

}  // namespace ag::nn
