#include <nn/optim/optimizer.hpp>

#include <autograd/grad_mode.hpp>
#include <autograd/run_kernel.hpp>
#include <autograd/trace.hpp>

#include <algorithm>
#include <unordered_set>

namespace ag::optim {

double hyperparameter(const Hyperparameters& values, std::string_view name) {
  const auto found = std::find_if(values.begin(), values.end(), [&](const auto& value) { return value.first == name; });
  if (found == values.end()) fail("hyperparameter: no value named '{}'", name);
  return found->second;
}

Optimizer::Optimizer(std::string name, std::vector<std::vector<Tensor>> groups, StateNames state_names)
    : name_(std::move(name)), state_names_(std::move(state_names)) {
  for (std::vector<Tensor>& group : groups) add_group_parameters(std::move(group));
  if (parameters_.empty()) fail("{}: got an empty parameter list", name_);
}

void Optimizer::add_group_parameters(std::vector<Tensor> parameters) {
  const std::size_t group = group_sizes_.size();
  std::unordered_set<const detail::TensorImpl*> taken;
  for (const Tensor& parameter : parameters_) taken.insert(parameter.impl());
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const Tensor& parameter = parameters[i];
    const std::string which =
        group == 0 ? fmt::format("parameter {}", i) : fmt::format("group {}: parameter {}", group, i);
    if (!parameter.defined()) fail("{}: {} is an undefined tensor", name_, which);
    if (!parameter.is_leaf())
      fail("{}: {} (shape {}) is the result of '{}'; only leaf tensors can be optimised", name_, which,
           parameter.shape(), parameter.op_name());
    if (taken.contains(parameter.impl()))
      fail("{}: {} (shape {}) is already in an earlier parameter group; a parameter belongs to one group", name_, which,
           parameter.shape());
  }
  std::unordered_set<const detail::TensorImpl*> in_this_group;
  for (std::size_t i = 0; i < parameters.size(); ++i)
    if (!in_this_group.insert(parameters[i].impl()).second)
      fail("{}: parameter {}{} (shape {}) is given twice; each step would update it twice", name_, i,
           group == 0 ? "" : fmt::format(" of group {}", group), parameters[i].shape());
  for (Tensor& parameter : parameters) {
    parameters_.push_back(std::move(parameter));
    group_of_.push_back(group);
    state_.emplace_back(state_count());
  }
  group_sizes_.push_back(parameters.size());
}

void Optimizer::step() {
  NoGradGuard no_grad;
  // One kernel per parameter runs the whole rule, so that a replay reads the options and state as they are then and
  // takes the rule's steady-state branch. It reaches the optimiser through `this`, which does not move (optimisers
  // are not movable) and which the trace checks is alive before each replay.
  if (ag::detail::outside_recorded_kernel()) ag::detail::trace_depends_on(alive_, "optimiser");
  const auto update_parameter = [this](const Tensor& parameter, const Tensor& gradient, std::size_t index) {
    ParameterState state(*this, state_[index], group_of_[index]);
    update(parameter, gradient, state);
  };
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const Tensor& parameter = parameters_[i];
    if (!parameter.grad().defined()) continue;
    run_kernel("optimizer step", update_parameter, parameter, parameter.grad(), i);
  }
}

void Optimizer::zero_grad() {
  for (Tensor& parameter : parameters_) parameter.zero_grad();
}

std::size_t Optimizer::checked_group(std::size_t group) const {
  if (group >= group_sizes_.size())
    fail("{}: there is no parameter group {} (this {} has {})", name_, group, name_, group_sizes_.size());
  return group;
}

std::vector<Tensor> Optimizer::group_parameters(std::size_t group) const {
  checked_group(group);
  std::vector<Tensor> result;
  for (std::size_t i = 0; i < parameters_.size(); ++i)
    if (group_of_[i] == group) result.push_back(parameters_[i]);
  return result;
}

double Optimizer::learning_rate(std::size_t group) const {
  return hyperparameter(hyperparameters(checked_group(group)), "lr");
}

std::vector<double> Optimizer::learning_rates() const {
  std::vector<double> result;
  for (std::size_t group = 0; group < param_group_count(); ++group) result.push_back(learning_rate(group));
  return result;
}

void Optimizer::set_learning_rate(double learning_rate) {
  set_learning_rates(std::vector<double>(param_group_count(), learning_rate));
}

void Optimizer::set_learning_rates(const std::vector<double>& learning_rates) {
  if (learning_rates.size() != param_group_count())
    fail("{}: got {} learning rates for {} parameter groups", name_, learning_rates.size(), param_group_count());
  // All checked before any is set, so that a bad one changes nothing.
  std::vector<Hyperparameters> changed;
  for (std::size_t group = 0; group < param_group_count(); ++group) {
    Hyperparameters values = hyperparameters(group);
    for (auto& [name, value] : values)
      if (name == "lr") value = learning_rates[group];
    check_hyperparameters(values, param_group_count() == 1 ? name_ : fmt::format("{}: group {}", name_, group));
    changed.push_back(std::move(values));
  }
  for (std::size_t group = 0; group < param_group_count(); ++group) set_hyperparameters(group, changed[group]);
}

bool Optimizer::keeps_state(const Hyperparameters&, std::string_view) const { return true; }

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
