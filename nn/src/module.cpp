#include <nn/module.hpp>

#include <autograd/grad_mode.hpp>

#include <cxxabi.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <ostream>
#include <string>
#include <typeinfo>
#include <unordered_set>
#include <utility>

namespace ag::nn {

namespace {

// Names become path segments ("layers.0.weight"), so they must be non-empty and free of dots.
void check_name(const char* what, const std::string& name, const std::string& owner) {
  if (name.empty()) fail("{}: {} got an empty name", owner, what);
  if (name.find('.') != std::string::npos) fail("{}: {} name '{}' must not contain '.'", owner, what, name);
}

std::string shape_summary(const Tensor& tensor) { return fmt::format("{}", tensor.shape()); }

std::vector<Tensor> tensors_of(NamedTensors named) {
  std::vector<Tensor> result;
  for (auto& [_, tensor] : named) result.push_back(std::move(tensor));
  return result;
}

// Gives `tensor` the values of `converted` (its shape, another dtype) while it stays the same tensor, as PyTorch's
// `tensor.data = converted`: handles to it (Linear::weight, an optimiser's parameter list) see the new values, and
// it keeps requires_grad and stays a leaf. autograd has no public call for this, so the storage behind the handle
// is swapped with the converted tensor's, which then frees the old one. The new storage counts as an in-place
// write of the old one, so that a graph recorded before refuses the new values.
void replace_values(const Tensor& tensor, Tensor converted) {
  detail::TensorImpl& target = *tensor.impl();
  detail::TensorImpl& source = *converted.impl();
  source.storage->version = target.storage->version + 1;
  std::swap(target.storage, source.storage);
  std::swap(target.dtype, source.dtype);
  std::swap(target.offset, source.offset);
}

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
  check_new_name("register_parameter", name, tensor);
  if (!tensor.is_leaf())
    fail("{}: parameter '{}' must be a leaf tensor, but it is the result of '{}' (register its detach())", this->name(),
         name, tensor.op_name());
  tensor.requires_grad_(requires_grad);
  parameters_.emplace_back(std::move(name), tensor);
  return tensor;
}

Tensor Module::register_buffer(std::string name, Tensor tensor) {
  check_new_name("register_buffer", name, tensor);
  if (tensor.requires_grad())
    fail("{}: buffer '{}' requires grad, but buffers are not trained (register a parameter, or the tensor's detach())",
         this->name(), name);
  buffers_.emplace_back(std::move(name), tensor);
  return tensor;
}

// Parameters and buffers share the state dict's names, so a name is taken by either.
void Module::check_new_name(const char* what, const std::string& name, const Tensor& tensor) const {
  check_name(what, name, this->name());
  if (!tensor.defined()) fail("{}: {}('{}') got an undefined tensor", this->name(), what, name);
  for (const auto& [existing, _] : parameters_)
    if (existing == name) fail("{}: a parameter named '{}' is already registered", this->name(), name);
  for (const auto& [existing, _] : buffers_)
    if (existing == name) fail("{}: a buffer named '{}' is already registered", this->name(), name);
}

void Module::add_child(std::string name, std::shared_ptr<Module> child) {
  check_name("register_module", name, this->name());
  if (!child) fail("{}: register_module('{}') got a null module", this->name(), name);
  for (const auto& [existing, _] : children_)
    if (existing == name) fail("{}: a submodule named '{}' is already registered", this->name(), name);
  children_.emplace_back(std::move(name), std::move(child));
}

// A tensor registered twice is listed once, as in PyTorch, so an optimiser updates it once.
NamedTensors Module::named_tensors(NamedTensors Module::*registered, bool recurse) const {
  NamedTensors result;
  std::unordered_set<const detail::TensorImpl*> seen;
  auto visit = [&](const Module& module, const std::string& prefix, auto& self) -> void {
    for (const auto& [name, tensor] : module.*registered)
      if (seen.insert(tensor.impl()).second) result.emplace_back(prefix + name, tensor);
    if (!recurse) return;
    for (const auto& [name, child] : module.children_) self(*child, prefix + name + ".", self);
  };
  visit(*this, "", visit);
  return result;
}

NamedTensors Module::named_parameters(bool recurse) const { return named_tensors(&Module::parameters_, recurse); }

NamedTensors Module::named_buffers(bool recurse) const { return named_tensors(&Module::buffers_, recurse); }

std::vector<Tensor> Module::parameters(bool recurse) const { return tensors_of(named_parameters(recurse)); }

std::vector<Tensor> Module::buffers(bool recurse) const { return tensors_of(named_buffers(recurse)); }

std::vector<std::shared_ptr<Module>> Module::children() const {
  std::vector<std::shared_ptr<Module>> result;
  for (const auto& [_, child] : children_) result.push_back(child);
  return result;
}

Module& Module::to(DType dtype) {
  if (!is_floating_point(dtype))
    fail("{}: to() converts to float32 or float64, not {} (integer and bool buffers keep their dtype)", name(),
         dtype_name(dtype));
  NoGradGuard no_grad;
  for (auto& [_, tensor] : state_dict()) {
    if (!is_floating_point(tensor.dtype()) || tensor.dtype() == dtype) continue;
    replace_values(tensor, tensor.to(dtype));
    tensor.zero_grad();  // a gradient of the old dtype would not fit
  }
  return *this;
}

Module& Module::apply(const std::function<void(Module&)>& fn) {
  for (const auto& [_, child] : children_) child->apply(fn);
  fn(*this);
  return *this;
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
