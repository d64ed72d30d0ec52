#include <nn/optim/optimizer.hpp>

#include <autograd/grad_mode.hpp>

#include <algorithm>

namespace ag::optim {

double hyperparameter(const Hyperparameters& values, std::string_view name) {
  const auto found = std::find_if(values.begin(), values.end(), [&](const auto& value) { return value.first == name; });
  if (found == values.end()) fail("hyperparameter: no value named '{}'", name);
  return found->second;
}

Optimizer::Optimizer(std::string name, std::vector<Tensor> parameters, StateNames state_names)
    : name_(std::move(name)), parameters_(std::move(parameters)), state_names_(std::move(state_names)) {
  if (parameters_.empty()) fail("Optimizer: got an empty parameter list");
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const Tensor& parameter = parameters_[i];
    if (!parameter.defined()) fail("Optimizer: parameter {} is an undefined tensor", i);
    if (!parameter.is_leaf())
      fail("Optimizer: parameter {} (shape {}) is the result of '{}'; only leaf tensors can be optimised", i,
           parameter.shape(), parameter.op_name());
  }
  state_.assign(parameters_.size(), std::vector<Tensor>(state_count()));
}

void Optimizer::step() {
  NoGradGuard no_grad;
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const Tensor& parameter = parameters_[i];
    if (!parameter.grad().defined()) continue;
    ParameterState state(*this, state_[i]);
    update(parameter, parameter.grad(), state);
  }
}

void Optimizer::zero_grad() {
  for (Tensor& parameter : parameters_) parameter.zero_grad();
}

const Tensor& Optimizer::state(std::size_t index, std::string_view name) const {
  if (index >= parameters_.size())
    fail("{}: state: there is no parameter {} (this {} has {})", name_, index, name_, parameters_.size());
  return state_[index][state_index(name)];
}

std::size_t Optimizer::state_index(std::string_view name) const {
  for (std::size_t i = 0; i < state_count(); ++i)
    if (state_name(i) == name) return i;
  std::string names;
  for (std::size_t i = 0; i < state_count(); ++i) names += (i == 0 ? "" : ", ") + state_name(i);
  fail("{}: there is no state named '{}' (its state: {})", name_, name, names.empty() ? "none" : names);
}

const std::string& Optimizer::state_name(std::size_t index) const {
  const std::size_t tensors = state_names_.tensors.size();
  return index < tensors ? state_names_.tensors[index] : state_names_.counts[index - tensors];
}

}  // namespace ag::optim
