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
constexpr std::string_view kGroupCount = "param_group_count";
constexpr std::string_view kGroupPrefix = "param_groups.";
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

// Reads "<index>.<rest>" into `index` and `rest`; false if `text` is not of that form.
bool split_index(std::string_view text, std::size_t& index, std::string_view& rest) {
  const char* last = text.data() + text.size();
  const auto [end, error] = std::from_chars(text.data(), last, index);
  if (error != std::errc() || end == last || *end != '.') return false;
  rest = std::string_view(end + 1, static_cast<std::size_t>(last - end - 1));
  return true;
}

}  // namespace

// One group writes the entries of the format before groups existed, so that those files and these stay alike.
StateDict Optimizer::state_dict() const {
  StateDict out;
  const auto append_group = [&](std::size_t group, const std::string& prefix) {
    for (const auto& [name, value] : hyperparameters(group)) out.emplace_back(prefix + name, scalar(value, kFloat64));
    out.emplace_back(prefix + std::string(kParameterCount), scalar(static_cast<double>(group_sizes_[group]), kFloat64));
  };
  if (param_group_count() == 1) {
    append_group(0, "");
  } else {
    out.emplace_back(kGroupCount, scalar(static_cast<double>(param_group_count()), kFloat64));
    for (std::size_t group = 0; group < param_group_count(); ++group)
      append_group(group, fmt::format("{}{}.", kGroupPrefix, group));
  }
  for (std::size_t i = 0; i < state_.size(); ++i)
    for (std::size_t j = 0; j < state_count(); ++j)
      if (state_[i][j].defined()) out.emplace_back(fmt::format("state.{}.{}", i, state_name(j)), state_[i][j]);
  return out;
}

Optimizer::LoadedState Optimizer::parse_state_dict(const StateDict& state, std::string_view source) const {
  const std::size_t groups = param_group_count();
  const auto group_count_entry =
      std::find_if(state.begin(), state.end(), [](const auto& entry) { return entry.first == kGroupCount; });
  const bool grouped = group_count_entry != state.end();
  if (grouped) {
    const double count = scalar_value(group_count_entry->second, kGroupCount, source);
    if (count != static_cast<double>(groups))
      fail("{}: the state is of {} parameter groups, but this {} has {}", source, count, name_, groups);
  } else if (groups != 1) {
    fail("{}: the state is of a {} with one parameter group (it has no '{}' entry), but this {} has {}", source, name_,
         kGroupCount, name_, groups);
  }
  const auto prefix = [&](std::size_t group) {
    return grouped ? fmt::format("{}{}.", kGroupPrefix, group) : std::string();
  };

  std::vector<Hyperparameters> values;
  for (std::size_t group = 0; group < groups; ++group) values.push_back(hyperparameters(group));
  const auto expected = [&] {
    const std::string group_prefix = grouped ? std::string(kGroupPrefix) + "<g>." : "";
    std::string names = grouped ? std::string(kGroupCount) + ", " : "";
    for (const auto& [name, _] : values[0]) names += group_prefix + name + ", ";
    names += group_prefix + std::string(kParameterCount);
    for (std::size_t j = 0; j < state_count(); ++j) names += ", state.<i>." + state_name(j);
    return names;
  };
  const auto unexpected = [&](std::string_view name) {
    fail("{}: unexpected entry '{}': not the state of {}, whose entries are {}", source, name, name_, expected());
  };

  std::vector<std::vector<bool>> has_hyperparameter(groups, std::vector<bool>(values[0].size()));
  std::vector<bool> has_count(groups);
  LoadedState result;
  result.state.assign(parameters_.size(), std::vector<Tensor>(state_count()));
  for (const auto& [name, tensor] : state) {
    if (!tensor.defined()) fail("{}: entry '{}' is an undefined tensor", source, name);
    if (name == kGroupCount) continue;
    if (name.starts_with(kStatePrefix)) {
      std::size_t index = 0;
      std::string_view entry;
      if (!split_index(std::string_view(name).substr(kStatePrefix.size()), index, entry)) unexpected(name);
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
      continue;
    }

    // A group's entry: a hyperparameter or its parameter count.
    std::size_t group = 0;
    std::string_view key = name;
    if (grouped) {
      if (!name.starts_with(kGroupPrefix) ||
          !split_index(std::string_view(name).substr(kGroupPrefix.size()), group, key))
        unexpected(name);
      if (group >= groups)
        fail("{}: entry '{}' is for parameter group {}, but this {} has {} groups", source, name, group, name_, groups);
    }
    const auto found =
        std::find_if(values[group].begin(), values[group].end(), [&](const auto& value) { return value.first == key; });
    if (key == kParameterCount) {
      const double count = scalar_value(tensor, name, source);
      if (count != static_cast<double>(group_sizes_[group])) {
        if (grouped)
          fail("{}: parameter group {} of the state has {} parameters, but this {}'s has {}", source, group, count,
               name_, group_sizes_[group]);
        fail("{}: the state is for {} parameters, but this {} has {}", source, count, name_, parameters_.size());
      }
      has_count[group] = true;
    } else if (found != values[group].end()) {
      found->second = scalar_value(tensor, name, source);
      has_hyperparameter[group][static_cast<std::size_t>(found - values[group].begin())] = true;
    } else {
      unexpected(name);
    }
  }
  for (std::size_t group = 0; group < groups; ++group) {
    for (std::size_t at = 0; at < values[group].size(); ++at)
      if (!has_hyperparameter[group][at])
        fail("{}: missing entry '{}{}' of the state of {} (entries: {})", source, prefix(group),
             values[group][at].first, name_, expected());
    if (!has_count[group])
      fail("{}: missing entry '{}{}' of the state of {}", source, prefix(group), kParameterCount, name_);
    check_hyperparameters(values[group], grouped ? fmt::format("{}: {}: group {}", source, name_, group)
                                                 : fmt::format("{}: {}", source, name_));
  }

  // The update rule sets all of a parameter's state at once (all its group's settings keep), so a part of it, or
  // more, is a damaged or foreign state.
  for (std::size_t i = 0; i < result.state.size(); ++i) {
    const Hyperparameters& group_values = values[group_of_[i]];
    std::string kept_names;
    std::size_t kept = 0;
    std::size_t present = 0;
    for (std::size_t j = 0; j < state_count(); ++j) {
      const bool keeps = keeps_state(group_values, state_name(j));
      const bool defined = result.state[i][j].defined();
      if (defined && !keeps)
        fail("{}: {}: parameter {} keeps no '{}' with its group's settings, but the state has state.{}.{}", source,
             name_, i, state_name(j), i, state_name(j));
      if (!keeps) continue;
      kept_names += fmt::format("{}state.{}.{}", kept == 0 ? "" : ", ", i, state_name(j));
      ++kept;
      present += defined ? 1 : 0;
    }
    if (present != 0 && present != kept)
      fail("{}: {}: parameter {} needs all of {} or none, got {} of them", source, name_, i, kept_names, present);
  }
  result.hyperparameters = std::move(values);
  return result;
}

void Optimizer::check_state_dict(const StateDict& state, std::string_view source) const {
  parse_state_dict(state, source);
}

void Optimizer::load_state_dict(const StateDict& state, std::string_view source) {
  LoadedState loaded = parse_state_dict(state, source);
  for (std::size_t group = 0; group < param_group_count(); ++group)
    set_hyperparameters(group, loaded.hyperparameters[group]);
  for (std::size_t i = 0; i < state_.size(); ++i)
    for (std::size_t j = 0; j < state_count(); ++j) {
      const Tensor& saved = loaded.state[i][j];
      state_[i][j] = saved.defined() ? clone(saved) : Tensor();
    }
}

}  // namespace ag::optim
