#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <autograd/tensor.hpp>
#include <nn/state_dict.hpp>

#include <concepts>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// Optimisers, as torch::optim: the Optimizer base, which runs an update rule over parameters and saves its state,
/// and SGD and Adam with their options.
namespace ag::optim {

using nn::StateDict;

/// An optimiser's settings by name, in a fixed order, as state dicts store them (a flag as 0 or 1).
using Hyperparameters = std::vector<std::pair<std::string, double>>;
/// The value named `name` in `values`; throws ag::Error if there is none.
double hyperparameter(const Hyperparameters& values, std::string_view name);

/// Updates a fixed list of parameters from their gradients, as torch::optim::Optimizer (one parameter group).
/// The base does everything but the update rule: it owns the parameters and each parameter's state tensors by
/// name, runs the rule over the parameters that have a gradient, and saves and checks state dicts. An optimiser
/// derives from OptimizerWithOptions (below) and supplies its state's names and its rule.
class Optimizer {
 public:
  /// Deleted: optimisers are not copyable.
  Optimizer(const Optimizer&) = delete;
  /// Deleted, as the copy constructor.
  Optimizer& operator=(const Optimizer&) = delete;
  virtual ~Optimizer() = default;

  /// Applies the update rule to every parameter with a gradient; one whose grad() is undefined (not reached by
  /// the last backward pass) is left alone, its state too.
  void step();
  /// Drops every parameter's gradient (PyTorch's set_to_none).
  void zero_grad();

  /// The current learning rate ("lr"), e.g. for a schedule.
  virtual double learning_rate() const = 0;
  /// Sets the learning rate used by later steps. Throws ag::Error, changing nothing, if it is negative.
  virtual void set_learning_rate(double learning_rate) = 0;

  /// The parameters it updates, in the order it was given them: the same tensors, not copies.
  const std::vector<Tensor>& parameters() const { return parameters_; }
  /// The optimiser's kind, for messages: "SGD", "Adam".
  const std::string& name() const { return name_; }
  /// The state tensor `name` ("momentum_buffer") of parameter `index`: the optimiser's own tensor, undefined until
  /// that parameter's first step. Throws ag::Error if there is no such parameter or state name.
  const Tensor& state(std::size_t index, std::string_view name) const;

  /// Everything step() depends on, by name, for checkpoints: each hyperparameter ("lr", "momentum", ...) and
  /// "parameter_count" as 0-d float64 tensors, then each parameter's state once it exists
  /// ("state.3.momentum_buffer"). The state tensors are the optimiser's own, not copies.
  StateDict state_dict() const;
  /// Throws ag::Error naming `source` unless `state` is the state_dict() of this kind of optimiser over parameters
  /// of the same shapes and dtypes, with valid hyperparameters.
  void check_state_dict(const StateDict& state, std::string_view source) const;
  /// Checks `state`, then replaces the hyperparameters and the state with copies of its values. A failed check
  /// throws ag::Error, as check_state_dict(), and changes nothing.
  void load_state_dict(const StateDict& state, std::string_view source = "load_state_dict");

 protected:
  /// The names of the state kept for each parameter. The update rule sets all of a parameter's state at its first
  /// step; state dicts save it as `state.<i>.<name>`.
  struct StateNames {
    std::vector<std::string> tensors;  ///< shaped and typed like their parameter ("exp_avg")
    std::vector<std::string> counts;   ///< 0-d float64 whole numbers from 1 ("step")
  };

  /// One parameter's state, for the update rule.
  class ParameterState {
   public:
    /// The state tensor `name`, undefined until the rule sets it; a name not in the StateNames throws ag::Error.
    Tensor& operator[](std::string_view name) { return values_[optimizer_.state_index(name)]; }

   private:
    friend class Optimizer;
    ParameterState(const Optimizer& optimizer, std::vector<Tensor>& values) : optimizer_(optimizer), values_(values) {}
    const Optimizer& optimizer_;
    std::vector<Tensor>& values_;
  };

  /// An optimiser of kind `name` ("SGD") over `parameters`, keeping the state `state_names` for each. Throws
  /// ag::Error if `parameters` is empty or holds an undefined tensor or one that is not a leaf.
  Optimizer(std::string name, std::vector<Tensor> parameters, StateNames state_names);

  /// The update rule for one parameter, run by step() under NoGradGuard. `gradient` may be shared with other
  /// tensors (the engine passes gradients on without copying): replace it, never update it in place.
  virtual void update(Tensor parameter, Tensor gradient, ParameterState& state) = 0;

  /// The hyperparameters as state dicts store them.
  virtual Hyperparameters hyperparameters() const = 0;
  /// Throws ag::Error starting with `context` unless `values` (the names of hyperparameters(), in its order) are
  /// valid settings.
  virtual void check_hyperparameters(const Hyperparameters& values, std::string_view context) const = 0;
  /// Takes over checked values.
  virtual void set_hyperparameters(const Hyperparameters& values) = 0;

 private:
  // A checked state dict: the hyperparameters in their order, and each parameter's state in state_names_' order.
  struct LoadedState {
    Hyperparameters hyperparameters;
    std::vector<std::vector<Tensor>> state;
  };
  LoadedState parse_state_dict(const StateDict& state, std::string_view source) const;
  std::size_t state_index(std::string_view name) const;
  const std::string& state_name(std::size_t index) const;
  std::size_t state_count() const { return state_names_.tensors.size() + state_names_.counts.size(); }

  std::string name_;
  std::vector<Tensor> parameters_;
  StateNames state_names_;
  std::vector<std::vector<Tensor>> state_;  // [parameter][name], the tensors' names first, then the counts'
};

/// What an options class offers OptimizerWithOptions: the learning rate, and its settings by name (hyperparameters()
/// and from_hyperparameters(), which refuses a value its type cannot take, such as a flag of 0.5) and their check.
/// Errors start with `context`.
template <class Options>
concept OptimizerOptions = requires(const Options& options, const Hyperparameters& values, std::string_view context) {
  { options.lr() } -> std::convertible_to<double>;
  { options.lr(1.0) } -> std::same_as<Options>;
  { options.hyperparameters() } -> std::same_as<Hyperparameters>;
  { Options::from_hyperparameters(values, context) } -> std::same_as<Options>;
  options.check(context);
};

/// An optimiser whose hyperparameters are an options class (SGDOptions, AdamOptions): it keeps them, checks them
/// on every change, and maps them to and from state dicts, so that the optimiser itself is its update rule.
template <OptimizerOptions Options>
class OptimizerWithOptions : public Optimizer {
 public:
  /// The current settings (load_state_dict() and set_learning_rate() change them).
  const Options& options() const { return options_; }
  /// options().lr().
  double learning_rate() const override { return options_.lr(); }
  /// Sets options().lr(). Throws ag::Error, changing nothing, if the new options fail their check.
  void set_learning_rate(double learning_rate) override { options_ = checked(options_.lr(learning_rate)); }

 protected:
  /// As Optimizer's constructor, keeping `options`. Throws ag::Error, naming `name`, if they fail options.check().
  OptimizerWithOptions(std::string name, std::vector<Tensor> parameters, StateNames state_names, Options options)
      : Optimizer(std::move(name), std::move(parameters), std::move(state_names)), options_(checked(options)) {}

 private:
  Options checked(Options options) const {
    options.check(name());
    return options;
  }
  Hyperparameters hyperparameters() const override { return options_.hyperparameters(); }
  void check_hyperparameters(const Hyperparameters& values, std::string_view context) const override {
    Options::from_hyperparameters(values, context).check(context);
  }
  void set_hyperparameters(const Hyperparameters& values) override {
    options_ = Options::from_hyperparameters(values, name());
  }

  Options options_;
};

}  // namespace ag::optim

#pragma GCC visibility pop
