#include <nn/module.hpp>

#include <cxxabi.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <ostream>
#include <string>
#include <typeinfo>
#include <unordered_set>

namespace ag::nn {

namespace {

// Names become path segments ("layers.0.weight"), so they must be non-empty and free of dots.
void check_name(const char* what, const std::string& name, const std::string& owner) {
  if (name.empty()) fail("{}: {} got an empty name", owner, what);
  if (name.find('.') != std::string::npos) fail("{}: {} name '{}' must not contain '.'", owner, what, name);
}

std::string shape_summary(const Tensor& tensor) { return fmt::format("{}", tensor.shape()); }

}  // namespace

std::string Module::name() const {
  const char* mangled = typeid(*this).name();
  int status = 0;
  char* demangled = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string result = status == 0 ? demangled : mangled;
  std::free(demangled);
  return result;
}

Tensor Module::register_parameter(std::string name, Tensor tensor, bool requires_grad) {
  check_name("register_parameter", name, this->name());
  if (!tensor.defined()) fail("{}: register_parameter('{}') got an undefined tensor", this->name(), name);
  for (const auto& [existing, _] : parameters_)
    if (existing == name) fail("{}: a parameter named '{}' is already registered", this->name(), name);
  if (!tensor.is_leaf())
    fail("{}: parameter '{}' must be a leaf tensor, but it is the result of '{}' (register its detach())", this->name(),
         name, tensor.op_name());
  tensor.requires_grad_(requires_grad);
  parameters_.emplace_back(std::move(name), tensor);
  return tensor;
}

void Module::add_child(std::string name, std::shared_ptr<Module> child) {
  check_name("register_module", name, this->name());
  if (!child) fail("{}: register_module('{}') got a null module", this->name(), name);
  for (const auto& [existing, _] : children_)
    if (existing == name) fail("{}: a submodule named '{}' is already registered", this->name(), name);
  children_.emplace_back(std::move(name), std::move(child));
}

std::vector<std::pair<std::string, Tensor>> Module::named_parameters(bool recurse) const {
  std::vector<std::pair<std::string, Tensor>> result;
  std::unordered_set<const detail::TensorImpl*> seen;
  auto visit = [&](const Module& module, const std::string& prefix, auto& self) -> void {
    for (const auto& [name, tensor] : module.parameters_)
      if (seen.insert(tensor.impl()).second) result.emplace_back(prefix + name, tensor);
    if (!recurse) return;
    for (const auto& [name, child] : module.children_) self(*child, prefix + name + ".", self);
  };
  visit(*this, "", visit);
  return result;
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> result;
  for (auto& [_, tensor] : named_parameters(recurse)) result.push_back(std::move(tensor));
  return result;
}

std::vector<std::shared_ptr<Module>> Module::children() const {
  std::vector<std::shared_ptr<Module>> result;
  for (const auto& [_, child] : children_) result.push_back(child);
  return result;
}

void Module::zero_grad() {
  for (Tensor& parameter : parameters()) parameter.zero_grad();
}

void Module::train(bool on) {
  training_ = on;
  for (const auto& [_, child] : children_) child->train(on);
}

std::string Module::summary() const {
  std::string out;
  append_summary(out, 0);
  std::int64_t total = 0;
  for (const Tensor& parameter : parameters()) total += parameter.numel();
  fmt::format_to(std::back_inserter(out), "Total parameters: {}\n", total);
  return out;
}

// One line for the module, one per parameter of its own, then its submodules one level deeper.
void Module::append_summary(std::string& out, int depth) const {
  const std::string settings = extra_repr();
  fmt::format_to(std::back_inserter(out), "{}{}\n", name(), settings.empty() ? "" : "(" + settings + ")");
  const std::string indent(static_cast<std::size_t>(2 * depth + 2), ' ');
  std::size_t name_width = 0;
  std::size_t shape_width = 0;
  for (const auto& [name, tensor] : parameters_) {
    name_width = std::max(name_width, name.size());
    shape_width = std::max(shape_width, shape_summary(tensor).size());
  }
  for (const auto& [name, tensor] : parameters_)
    fmt::format_to(std::back_inserter(out), "{}{:<{}}  {:<{}}  {}\n", indent, name, name_width, shape_summary(tensor),
                   shape_width, tensor.numel());
  for (const auto& [name, child] : children_) {
    fmt::format_to(std::back_inserter(out), "{}({}): ", indent, name);
    child->append_summary(out, depth + 1);
  }
}

std::ostream& operator<<(std::ostream& out, const Module& module) { return out << module.summary(); }

}  // namespace ag::nn
