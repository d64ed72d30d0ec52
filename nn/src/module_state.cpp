// Module::state_dict and its counterpart: checking and loading saved parameters and buffers.

#include <nn/module.hpp>

#include <autograd/grad_mode.hpp>

#include <algorithm>
#include <map>

namespace ag::nn {

namespace {

// "'a', 'b' and 2 more": names in an error message, without flooding it.
std::string name_list(const std::vector<std::string>& names) {
  constexpr std::size_t kShown = 5;
  std::string out;
  for (std::size_t i = 0; i < std::min(names.size(), kShown); ++i) out += (i == 0 ? "'" : ", '") + names[i] + "'";
  if (names.size() > kShown) out += fmt::format(" and {} more", names.size() - kShown);
  return out;
}

using TensorsByName = std::map<std::string_view, const Tensor*>;

TensorsByName by_name(const StateDict& state) {
  TensorsByName tensors;
  for (const auto& [name, tensor] : state) tensors.emplace(name, &tensor);
  return tensors;
}

}  // namespace

StateDict Module::state_dict() const {
  StateDict state = named_parameters();
  for (auto& buffer : named_buffers()) state.push_back(std::move(buffer));
  return state;
}

void Module::check_state_dict(const StateDict& state, std::string_view source) const {
  TensorsByName saved = by_name(state);
  // Checks this module's parameters or buffers against `saved`, taking each found one out of it.
  const auto check = [&](const NamedTensors& expected, const char* kind) {
    std::vector<std::string> missing;
    for (const auto& [name, tensor] : expected) {
      const auto found = saved.find(name);
      if (found == saved.end()) {
        missing.push_back(name);
        continue;
      }
      const Tensor& value = *found->second;
      if (!value.defined()) fail("{}: {} '{}' is an undefined tensor", source, kind, name);
      if (value.shape() != tensor.shape())
        fail("{}: {} '{}' has shape {}, but {} expects {}", source, kind, name, value.shape(), this->name(),
             tensor.shape());
      if (value.dtype() != tensor.dtype())
        fail("{}: {} '{}' is {}, but {} expects {}", source, kind, name, dtype_name(value.dtype()), this->name(),
             dtype_name(tensor.dtype()));
      saved.erase(found);
    }
    if (!missing.empty())
      fail("{}: missing {}{} {} of {}", source, kind, missing.size() == 1 ? "" : "s", name_list(missing), this->name());
  };
  check(named_parameters(), "parameter");
  check(named_buffers(), "buffer");
  if (!saved.empty()) {
    std::vector<std::string> extra;
    for (const auto& [name, _] : saved) extra.emplace_back(name);
    fail("{}: unexpected parameter{} {}, which {} does not have", source, extra.size() == 1 ? "" : "s",
         name_list(extra), this->name());
  }
}

void Module::load_state_dict(const StateDict& state, std::string_view source) {
  check_state_dict(state, source);
  NoGradGuard no_grad;
  const TensorsByName saved = by_name(state);
  for (auto& [name, tensor] : state_dict()) tensor.copy_(*saved.at(name));
}

}  // namespace ag::nn
