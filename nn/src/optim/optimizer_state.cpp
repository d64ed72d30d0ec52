// Optimizer::state_dict and its checked counterpart load_state_dict, shared by every optimiser: the optimiser
// names its hyperparameters and state, this file maps them to entries and checks every name, shape and dtype.

#include <nn/optim/optimizer.hpp>

#include <autograd/creation.hpp>
#include <autograd/ops/conversion.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace ag::optim {

namespace {

constexpr std::string_view kParameterCount = "parameter_count";
constexpr std::string_view kStatePrefix = "state.";

bool contains(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

double scalar_value(const Tensor& tensor, std::string_view name, std::string_view source) {
  if (tensor.dim() != 0 || tensor.dtype() != kFloat64)
    fail("{}: '{}' must be a 0-d float64 tensor, got {} of shape {}", source, name, dtype_name(tensor.dtype()),
         tensor.shape());
  return tensor.item();
}

}  // namespace

StateDict Optimizer::state_dict() const {
  StateDict out;
  for (const auto& [name, value] : hyperparameters()) out.emplace_back(name, scalar(value, kFloat64));
  out.emplace_back(kParameterCount, scalar(static_cast<double>(parameters_.size()), kFloat64));
  for (std::size_t i = 0; i < state_.size(); ++i)
    for (std::size_t j = 0; j < state_count(); ++j)
      if (state_[i][j].defined()) out.emplace_back(fmt::format("state.{}.{}", i, state_name(j)), state_[i][j]);
  return out;
}

Optimizer::LoadedState Optimizer::parse_state_dict(const StateDict& state, std::string_view source) const {
  Hyperparameters values = hyperparameters();
  std::vector<std::string> hyperparameter_names;
  for (const auto& [name, _] : values) hyperparameter_names.push_back(name);
  const auto expected = [&] {
    std::string names;
    for (const std::string& name : hyperparameter_names) names += name + ", ";
    names += kParameterCount;
    for (std::size_t j = 0; j < state_count(); ++j) names += ", state.<i>." + state_name(j);
    return names;
  };
  const auto unexpected = [&](std::string_view name) {
    fail("{}: unexpected entry '{}': not the state of {}, whose entries are {}", source, name, name_, expected());
  };

  std::vector<bool> has_hyperparameter(values.size());
  bool has_count = false;
  LoadedState result;
  result.state.assign(parameters_.size(), std::vector<Tensor>(state_count()));
  for (const auto& [name, tensor] : state) {
    if (!tensor.defined()) fail("{}: entry '{}' is an undefined tensor", source, name);
    const auto found = std::find(hyperparameter_names.begin(), hyperparameter_names.end(), name);
    if (name == kParameterCount) {
      const double count = scalar_value(tensor, name, source);
      if (count != static_cast<double>(parameters_.size()))
        fail("{}: the state is for {} parameters, but this {} has {}", source, count, name_, parameters_.size());
      has_count = true;
    } else if (found != hyperparameter_names.end()) {
      const auto at = static_cast<std::size_t>(found - hyperparameter_names.begin());
      values[at].second = scalar_value(tensor, name, source);
      has_hyperparameter[at] = true;
    } else if (name.starts_with(kStatePrefix)) {
      const std::string_view rest = std::string_view(name).substr(kStatePrefix.size());
      std::size_t index = 0;
      const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), index);
      if (error != std::errc() || end == rest.data() + rest.size() || *end != '.') unexpected(name);
      const std::string_view entry(end + 1, static_cast<std::size_t>(rest.data() + rest.size() - end - 1));
      if (index >= parameters_.size())
        fail("{}: entry '{}' is for parameter {}, but this {} has {} parameters", source, name, index, name_,
             parameters_.size());
      if (contains(state_names_.tensors, entry)) {
        const Tensor& parameter = parameters_[index];
        if (tensor.shape() != parameter.shape() || tensor.dtype() != parameter.dtype())
          fail("{}: entry '{}' is {} of shape {}, but parameter {} is {} of shape {}", source, name,
               dtype_name(tensor.dtype()), tensor.shape(), index, dtype_name(parameter.dtype()), parameter.shape());
      } else if (contains(state_names_.counts, entry)) {
        const double count = scalar_value(tensor, name, source);
        if (!(count >= 1.0 && count <= 9007199254740992.0 && count == std::floor(count)))
          fail("{}: {}: {} must be a positive whole number, got {}", source, name_, name, count);
      } else {
        unexpected(name);
      }
      result.state[index][state_index(entry)] = tensor;
    } else {
      unexpected(name);
    }
  }
  for (std::size_t at = 0; at < values.size(); ++at)
    if (!has_hyperparameter[at])
      fail("{}: missing entry '{}' of the state of {} (entries: {})", source, values[at].first, name_, expected());
  if (!has_count) fail("{}: missing entry '{}' of the state of {}", source, kParameterCount, name_);
  check_hyperparameters(values, fmt::format("{}: {}", source, name_));

  // The update rule sets all of a parameter's state at once, so a part of it is a damaged or foreign state.
  for (std::size_t i = 0; i < result.state.size(); ++i) {
    const auto present = std::count_if(result.state[i].begin(), result.state[i].end(),
                                       [](const Tensor& tensor) { return tensor.defined(); });
    if (present != 0 && static_cast<std::size_t>(present) != state_count()) {
      std::string names;
      for (std::size_t j = 0; j < state_count(); ++j)
        names += fmt::format("{}state.{}.{}", j == 0 ? "" : ", ", i, state_name(j));
      fail("{}: {}: parameter {} needs all of {} or none, got {} of them", source, name_, i, names, present);
    }
  }
  result.hyperparameters = std::move(values);
  return result;
}

void Optimizer::check_state_dict(const StateDict& state, std::string_view source) const {
  parse_state_dict(state, source);
}

void Optimizer::load_state_dict(const StateDict& state, std::string_view source) {
  LoadedState loaded = parse_state_dict(state, source);
  set_hyperparameters(loaded.hyperparameters);
  for (std::size_t i = 0; i < state_.size(); ++i)
    for (std::size_t j = 0; j < state_count(); ++j) {
      const Tensor& saved = loaded.state[i][j];
      state_[i][j] = saved.defined() ? clone(saved) : Tensor();
    }
}

}  // namespace ag::optim
