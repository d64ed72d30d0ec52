// Optimizer::state_dict and its checked counterpart load_state_dict, shared by every optimiser: the optimiser
// declares its schema, this file maps it to names and checks every name, shape and dtype.

#include <nn/optim/optimizer.hpp>

#include <autograd/creation.hpp>

#include <algorithm>
#include <charconv>

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
  const StateSchema schema = state_schema();
  const SavedState state = saved_state();
  StateDict out;
  for (const std::string& name : schema.hyperparameters)
    out.emplace_back(name, scalar(state.hyperparameters.at(name), kFloat64));
  out.emplace_back(kParameterCount, scalar(static_cast<double>(parameters_.size()), kFloat64));
  for (std::size_t i = 0; i < state.buffers.size(); ++i)
    for (const auto& [name, tensor] : state.buffers[i]) out.emplace_back(fmt::format("state.{}.{}", i, name), tensor);
  return out;
}

Optimizer::SavedState Optimizer::parse_state_dict(const StateDict& state, std::string_view source) const {
  const StateSchema schema = state_schema();
  const auto expected = [&] {
    std::string names;
    for (const std::string& name : schema.hyperparameters) names += name + ", ";
    names += kParameterCount;
    for (const auto* buffers : {&schema.buffers, &schema.scalar_buffers})
      for (const std::string& name : *buffers) names += ", state.<i>." + name;
    return names;
  };
  const auto unexpected = [&](std::string_view name) {
    fail("{}: unexpected entry '{}': not the state of {}, whose entries are {}", source, name, this->name(),
         expected());
  };

  SavedState result;
  result.buffers.resize(parameters_.size());
  bool has_count = false;
  for (const auto& [name, tensor] : state) {
    if (!tensor.defined()) fail("{}: entry '{}' is an undefined tensor", source, name);
    if (name == kParameterCount) {
      const double count = scalar_value(tensor, name, source);
      if (count != static_cast<double>(parameters_.size()))
        fail("{}: the state is for {} parameters, but this {} has {}", source, count, this->name(), parameters_.size());
      has_count = true;
    } else if (contains(schema.hyperparameters, name)) {
      result.hyperparameters[name] = scalar_value(tensor, name, source);
    } else if (name.starts_with(kStatePrefix)) {
      const std::string_view rest = std::string_view(name).substr(kStatePrefix.size());
      std::size_t index = 0;
      const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), index);
      if (error != std::errc() || end == rest.data() + rest.size() || *end != '.') unexpected(name);
      const std::string_view buffer(end + 1, static_cast<std::size_t>(rest.data() + rest.size() - end - 1));
      if (index >= parameters_.size())
        fail("{}: entry '{}' is for parameter {}, but this {} has {} parameters", source, name, index, this->name(),
             parameters_.size());
      if (contains(schema.buffers, buffer)) {
        const Tensor& parameter = parameters_[index];
        if (tensor.shape() != parameter.shape() || tensor.dtype() != parameter.dtype())
          fail("{}: entry '{}' is {} of shape {}, but parameter {} is {} of shape {}", source, name,
               dtype_name(tensor.dtype()), tensor.shape(), index, dtype_name(parameter.dtype()), parameter.shape());
      } else if (contains(schema.scalar_buffers, buffer)) {
        scalar_value(tensor, name, source);
      } else {
        unexpected(name);
      }
      result.buffers[index].emplace(std::string(buffer), tensor);
    } else {
      unexpected(name);
    }
  }
  for (const std::string& name : schema.hyperparameters)
    if (!result.hyperparameters.contains(name))
      fail("{}: missing entry '{}' of the state of {} (entries: {})", source, name, this->name(), expected());
  if (!has_count) fail("{}: missing entry '{}' of the state of {}", source, kParameterCount, this->name());
  check_saved_state(result, source);
  return result;
}

void Optimizer::check_state_dict(const StateDict& state, std::string_view source) const {
  parse_state_dict(state, source);
}

void Optimizer::load_state_dict(const StateDict& state, std::string_view source) {
  restore(parse_state_dict(state, source));
}

}  // namespace ag::optim
