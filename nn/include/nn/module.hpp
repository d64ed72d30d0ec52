#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <autograd/tensor.hpp>
#include <nn/state_dict.hpp>

#include <fmt/format.h>

#include <concepts>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ag::nn {

/// Tensors by their path in a module tree ("layers.0.weight").
using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

/// The base of every layer and model, as torch::nn::Module: it owns named parameters, buffers and submodules,
/// and finds them all recursively. Modules are held by std::shared_ptr (std::make_shared<Linear>(2, 3)).
class Module {
 public:
  /// A module with no parameters, buffers or submodules, in training mode.
  Module() = default;
  /// Deleted: a copy would silently share its parameters with the original.
  Module(const Module&) = delete;
  /// Deleted, as the copy constructor.
  Module& operator=(const Module&) = delete;
  virtual ~Module() = default;

  /// The type's name for summaries and errors; user modules get their demangled C++ type name.
  virtual std::string name() const;
  /// The settings shown after the name, as PyTorch's extra_repr: "in_features=2, out_features=3, bias=true".
  virtual std::string extra_repr() const { return ""; }

  /// Adds `tensor` as a parameter (setting requires_grad) and returns it; the module keeps the same tensor.
  /// Throws ag::Error if `tensor` is undefined or not a leaf, or `name` is empty, contains '.' or is taken.
  Tensor register_parameter(std::string name, Tensor tensor, bool requires_grad = true);

  /// Adds `tensor` as a buffer and returns it: state that is saved in state_dict() and converted by to(), but is not
  /// a parameter, so no optimiser trains it (PyTorch's running statistics of a batch norm). It must not require grad.
  /// Throws ag::Error if `tensor` is undefined or requires grad, or `name` is empty, contains '.' or is taken.
  Tensor register_buffer(std::string name, Tensor tensor);

  /// Adds `module` as the submodule `name` and returns it, so that its parameters and buffers are found as
  /// "<name>.<theirs>". Throws ag::Error if `module` is null, or `name` is empty, contains '.' or is taken.
  template <std::derived_from<Module> M>
  std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> module) {
    add_child(std::move(name), module);
    return module;
  }

  /// Parameters of this module and then of its submodules, named by their path ("layers.0.weight"); with
  /// `recurse` false, this module's own only.
  /// A tensor registered twice is listed once, as in PyTorch, so an optimiser updates it once.
  NamedTensors named_parameters(bool recurse = true) const;
  /// The tensors of named_parameters(), in its order: what an optimiser takes.
  std::vector<Tensor> parameters(bool recurse = true) const;
  /// Buffers, listed as parameters are.
  NamedTensors named_buffers(bool recurse = true) const;
  /// The tensors of named_buffers(), in its order.
  std::vector<Tensor> buffers(bool recurse = true) const;
  /// The direct submodules with their names, in the order they were registered.
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_children() const { return children_; }
  /// The direct submodules, in the order they were registered.
  std::vector<std::shared_ptr<Module>> children() const;

  /// named_parameters(), then named_buffers(): the tensors themselves, not copies (PyTorch's state_dict()).
  StateDict state_dict() const;
  /// Throws ag::Error naming `source` unless `state` holds exactly this module's parameter and buffer names, each
  /// with its tensor's shape and dtype.
  void check_state_dict(const StateDict& state, std::string_view source) const;
  /// Checks `state`, then copies its values into the parameters and buffers, which stay the same tensors (so
  /// optimisers keep updating them). A failed check throws ag::Error, as check_state_dict(), and changes nothing.
  void load_state_dict(const StateDict& state, std::string_view source = "load_state_dict");

  /// Converts the floating-point parameters and buffers of the tree to `dtype` (float32 or float64), as PyTorch's
  /// module.to(dtype); integer and bool buffers (counts, masks) keep their dtype. Each stays the same tensor with new
  /// values, as after PyTorch's `param.data = ...`: a parameter is still a leaf that requires grad, and handles to it
  /// (Linear::weight) see the change. Their gradients are dropped. Create optimisers after to(): their state keeps
  /// the old dtype. Returns this module. Throws ag::Error if `dtype` is not a floating-point dtype.
  Module& to(DType dtype);

  /// Calls `fn` on every module of the tree, each submodule's own tree first and this module last, as PyTorch's
  /// module.apply(fn) (LibTorch calls this module first): the place for a custom initialisation. Returns this module.
  /// What `fn` throws propagates, leaving the modules it already visited changed.
  Module& apply(const std::function<void(Module&)>& fn);

  /// Drops every parameter's gradient (PyTorch's set_to_none).
  void zero_grad();

  /// Switches this module and all its submodules between training and evaluation behaviour.
  void train(bool on = true);
  /// Switches this module and all its submodules to evaluation behaviour: train(false).
  void eval() { train(false); }
  /// Whether the module is in training mode (the default) rather than evaluation mode.
  bool is_training() const { return training_; }

  /// The module tree with each parameter's shape and the total parameter count.
  std::string summary() const;

 private:
  NamedTensors named_tensors(NamedTensors Module::*registered, bool recurse) const;
  void add_child(std::string name, std::shared_ptr<Module> child);
  void check_new_name(const char* what, const std::string& name, const Tensor& tensor) const;
  void append_summary(std::string& out, int depth) const;

  NamedTensors parameters_;
  NamedTensors buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

/// A module that maps one tensor to one tensor, so that Sequential can chain it.
class UnaryModule : public Module {
 public:
  /// The module's output for `input`; the layer's computation, recorded for backward like any op.
  virtual Tensor forward(const Tensor& input) = 0;
  /// forward(input), so that a module is called as a function: model(x).
  Tensor operator()(const Tensor& input) { return forward(input); }
};

/// Writes module.summary() to `out`.
std::ostream& operator<<(std::ostream& out, const Module& module);

}  // namespace ag::nn

/// @cond
// fmt::print("{}", *model) prints model->summary(). Hidden from Doxygen, which cannot place a specialisation of
// fmt's template and warns about it.
template <std::derived_from<ag::nn::Module> M>
struct fmt::formatter<M> : fmt::formatter<std::string_view> {
  auto format(const M& module, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(module.summary(), ctx);
  }
};
/// @endcond

#pragma GCC visibility pop
