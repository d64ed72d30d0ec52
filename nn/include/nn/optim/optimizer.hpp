#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <autograd/tensor.hpp>
#include <nn/state_dict.hpp>

#include <concepts>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// Optimisers, as torch::optim: the Optimizer base, which runs an update rule over groups of parameters and saves its
/// state; SGD, Adam, AdamW and RMSprop with their options; and learning-rate schedulers.
namespace ag::optim {

using nn::StateDict;

/// An optimiser's settings by name, in a fixed order, as state dicts store them (a flag as 0 or 1).
using Hyperparameters = std::vector<std::pair<std::string, double>>;
/// The value named `name` in `values`; throws ag::Error if there is none.
double hyperparameter(const Hyperparameters& values, std::string_view name);

class LRScheduler;

/// Parameters that share their settings inside one optimiser, as LibTorch's OptimizerParamGroup. A group without
/// options takes the optimiser's defaults:
///
///     Adam adam({{body->parameters()}, {head->parameters(), AdamOptions(1e-2)}}, AdamOptions(1e-3));
template <class Options>
class OptimizerParamGroup {
 public:
  /// `params`, which will take the optimiser's default options.
  OptimizerParamGroup(std::vector<Tensor> params) : params_(std::move(params)) {}  // NOLINT: implicit, as LibTorch's
  /// `params` with their own `options`.
  OptimizerParamGroup(std::vector<Tensor> params, Options options)
      : params_(std::move(params)), options_(std::move(options)) {}

  /// The group's parameters.
  const std::vector<Tensor>& params() const { return params_; }
  /// The group's own options, if it has them.
  const std::optional<Options>& options() const { return options_; }

 private:
  std::vector<Tensor> params_;
  std::optional<Options> options_;
};

/// Updates parameters from their gradients, as torch::optim::Optimizer. The parameters come in groups, each with its
/// own settings (an optimiser made from one list has one group). The base does everything but the update rule: it owns
/// the parameters and each parameter's state tensors by name, runs the rule over the parameters that have a gradient,
/// and saves and checks state dicts. An optimiser derives from OptimizerWithOptions (below) and supplies its state's
/// names and its rule.
class Optimizer {
 public:
  /// Deleted: optimisers are not copyable.
  Optimizer(const Optimizer&) = delete;
  /// Deleted, as the copy constructor.
  Optimizer& operator=(const Optimizer&) = delete;
  /// Deleted: a trace's kernels reach the optimiser at its address (see step()).
  Optimizer(Optimizer&&) = delete;
  /// Deleted, as the move constructor.
  Optimizer& operator=(Optimizer&&) = delete;
  virtual ~Optimizer() = default;

  /// Applies the update rule to every parameter with a gradient; one whose grad() is undefined (not reached by
  /// the last backward pass) is left alone, its state too. Each parameter's update is one kernel of a trace
  /// (autograd/trace.hpp): a replay runs the rule again with the options and state as they are then (a learning
  /// rate a scheduler changed, Adam's step count), and refuses to run once the optimiser is destroyed.
  void step();
  /// Drops every parameter's gradient (PyTorch's set_to_none).
  void zero_grad();

  /// The number of parameter groups.
  std::size_t param_group_count() const { return group_sizes_.size(); }
  /// The parameters of group `group`, in the order they were given. Throws ag::Error if there is no such group.
  std::vector<Tensor> group_parameters(std::size_t group) const;

  /// The learning rate ("lr") of group `group`, by default the first (the only one of an optimiser made from one
  /// parameter list). Throws ag::Error if there is no such group.
  double learning_rate(std::size_t group = 0) const;
  /// Each group's learning rate, in group order.
  std::vector<double> learning_rates() const;
  /// Sets the learning rate of every group for later steps. Throws ag::Error, changing nothing, if it is negative.
  void set_learning_rate(double learning_rate);
  /// Sets each group's learning rate, in group order, as a scheduler does. Throws ag::Error, changing nothing, if
  /// there is not one per group or one is negative.
  void set_learning_rates(const std::vector<double>& learning_rates);

  /// The parameters it updates, group after group, each in the order it was given: the same tensors, not copies.
  const std::vector<Tensor>& parameters() const { return parameters_; }
  /// The optimiser's kind, for messages: "SGD", "Adam".
  const std::string& name() const { return name_; }
  /// The state tensor `name` ("momentum_buffer") of parameter `index` (counted over parameters()): the optimiser's
  /// own tensor, undefined until that parameter's first step. Throws ag::Error if there is no such parameter or
  /// state name.
  const Tensor& state(std::size_t index, std::string_view name) const;

  /// Everything step() depends on, by name, for checkpoints, as 0-d float64 tensors and the state tensors themselves
  /// (not copies). With one parameter group: each hyperparameter ("lr", "momentum", ...) and "parameter_count", then
  /// each parameter's state once it exists ("state.3.momentum_buffer"). With several groups: "param_group_count",
  /// then each group's hyperparameters and parameter count ("param_groups.1.lr", "param_groups.1.parameter_count"),
  /// then the state as before. A state dict without "param_group_count" is of one group, as before groups existed.
  StateDict state_dict() const;
  /// Throws ag::Error naming `source` unless `state` is the state_dict() of this kind of optimiser with as many
  /// groups, each of as many parameters of the same shapes and dtypes, with valid hyperparameters.
  void check_state_dict(const StateDict& state, std::string_view source) const;
  /// Checks `state`, then replaces the hyperparameters and the state with copies of its values. A failed check
  /// throws ag::Error, as check_state_dict(), and changes nothing.
  void load_state_dict(const StateDict& state, std::string_view source = "load_state_dict");

 protected:
  /// The names of the state kept for each parameter. The update rule sets all of a parameter's state at its first
  /// step (all that keeps_state() allows); state dicts save it as `state.<i>.<name>`.
  struct StateNames {
    std::vector<std::string> tensors;  ///< shaped and typed like their parameter ("exp_avg")
    std::vector<std::string> counts;   ///< 0-d float64 whole numbers from 1 ("step")
  };

  /// One parameter's state, for the update rule.
  class ParameterState {
   public:
    /// The state tensor `name`, undefined until the rule sets it; a name not in the StateNames throws ag::Error.
    Tensor& operator[](std::string_view name) { return values_[optimizer_.state_index(name)]; }
    /// The state tensor at `index` in the order of the StateNames (the tensors' names, then the counts'): no lookup
    /// by name, for rules that run on every step and every replay of a trace.
    Tensor& operator[](std::size_t index) { return values_[index]; }
    /// The parameter's group, whose options the rule applies.
    std::size_t group() const { return group_; }

   private:
    friend class Optimizer;
    ParameterState(const Optimizer& optimizer, std::vector<Tensor>& values, std::size_t group)
        : optimizer_(optimizer), values_(values), group_(group) {}
    const Optimizer& optimizer_;
    std::vector<Tensor>& values_;
    std::size_t group_;
  };

  /// An optimiser of kind `name` ("SGD") over the parameter groups `groups`, keeping the state `state_names` for each
  /// parameter. Throws ag::Error if there is no parameter at all, or one is undefined, not a leaf, or in two groups.
  Optimizer(std::string name, std::vector<std::vector<Tensor>> groups, StateNames state_names);

  /// Appends a group of `parameters`, checked as the constructor does; the derived class keeps its settings.
  void add_group_parameters(std::vector<Tensor> parameters);

  /// The update rule for one parameter, run by step() under NoGradGuard with the settings of `state.group()`.
  /// `gradient` may be shared with other tensors (the engine passes gradients on without copying): replace it, never
  /// update it in place.
  virtual void update(Tensor parameter, Tensor gradient, ParameterState& state) = 0;

  /// The hyperparameters of group `group` as state dicts store them; "lr" among them.
  virtual Hyperparameters hyperparameters(std::size_t group) const = 0;
  /// Throws ag::Error starting with `context` unless `values` (the names of hyperparameters(), in its order) are
  /// valid settings.
  virtual void check_hyperparameters(const Hyperparameters& values, std::string_view context) const = 0;
  /// Takes over checked values for group `group`.
  virtual void set_hyperparameters(std::size_t group, const Hyperparameters& values) = 0;
  /// Whether the parameters of a group with the settings `values` keep the state `name` (one of the StateNames):
  /// all of it by default. AdamW keeps "max_exp_avg_sq" only with amsgrad, as PyTorch.
  virtual bool keeps_state(const Hyperparameters& values, std::string_view name) const;

  /// `group`, if this optimiser has such a group; otherwise throws ag::Error.
  std::size_t checked_group(std::size_t group) const;

 private:
  friend class LRScheduler;  // reads and sets initial_learning_rates_

  // A checked state dict: each group's hyperparameters in their order, and each parameter's state in state_names_'
  // order.
  struct LoadedState {
    std::vector<Hyperparameters> hyperparameters;
    std::vector<std::vector<Tensor>> state;
  };
  LoadedState parse_state_dict(const StateDict& state, std::string_view source) const;
  std::size_t state_index(std::string_view name) const;
  const std::string& state_name(std::size_t index) const;
  std::size_t state_count() const { return state_names_.tensors.size() + state_names_.counts.size(); }

  std::string name_;
  std::vector<Tensor> parameters_;
  std::vector<std::size_t> group_of_;     // [parameter]: its group
  std::vector<std::size_t> group_sizes_;  // [group]: its parameter count
  StateNames state_names_;
  std::vector<std::vector<Tensor>> state_;  // [parameter][name], the tensors' names first, then the counts'
  // [group]: its learning rate when the first scheduler was made (PyTorch's group['initial_lr']), so that schedulers
  // made one after the other start from the same base rates.
  std::vector<double> initial_learning_rates_;
  // Expires with the optimiser, so that a trace whose kernels call its update refuses to replay after it.
  std::shared_ptr<const bool> alive_ = std::make_shared<const bool>(true);
};

/// What an options class offers OptimizerWithOptions: the learning rate, and its settings by name (hyperparameters(),
/// with "lr" among them, and from_hyperparameters(), which refuses a value its type cannot take, such as a flag of
/// 0.5) and their check. Errors start with `context`.
template <class Options>
concept OptimizerOptions = requires(const Options& options, const Hyperparameters& values, std::string_view context) {
  { options.lr() } -> std::convertible_to<double>;
  { options.lr(1.0) } -> std::same_as<Options>;
  { options.hyperparameters() } -> std::same_as<Hyperparameters>;
  { Options::from_hyperparameters(values, context) } -> std::same_as<Options>;
  options.check(context);
};

/// An optimiser whose hyperparameters are an options class (SGDOptions, AdamOptions), one per parameter group: it
/// keeps them, checks them on every change, and maps them to and from state dicts, so that the optimiser itself is
/// its update rule.
template <OptimizerOptions Options>
class OptimizerWithOptions : public Optimizer {
 public:
  /// A group of parameters with their own options, or the defaults.
  using ParamGroup = OptimizerParamGroup<Options>;

  /// The current settings of group `group`, by default the first (load_state_dict() and the learning-rate setters
  /// change them). Throws ag::Error if there is no such group.
  const Options& options(std::size_t group = 0) const { return options_[checked_group(group)]; }
  /// The settings a group added without options takes.
  const Options& defaults() const { return defaults_; }

  /// Adds a group of parameters after construction, as LibTorch's add_param_group, with its own options or the
  /// defaults. A scheduler made before then refuses to step. Throws ag::Error, changing nothing, as the constructor.
  void add_param_group(const ParamGroup& group) {
    const Options options = checked(group.options().value_or(defaults_));
    add_group_parameters(group.params());
    options_.push_back(options);
  }

 protected:
  /// As Optimizer's constructor, with one group of `parameters` and `options`. Throws ag::Error, naming `name`, if
  /// they fail options.check().
  OptimizerWithOptions(std::string name, std::vector<Tensor> parameters, StateNames state_names, Options options)
      : Optimizer(std::move(name), {std::move(parameters)}, std::move(state_names)),
        defaults_(checked(options)),
        options_{defaults_} {}
  /// As Optimizer's constructor, with the groups `groups`; a group without options takes `defaults`. Throws
  /// ag::Error, naming `name` and the group, if options fail options.check().
  OptimizerWithOptions(std::string name, const std::vector<ParamGroup>& groups, StateNames state_names,
                       Options defaults)
      : Optimizer(std::move(name), parameters_of(groups), std::move(state_names)), defaults_(checked(defaults)) {
    for (const ParamGroup& group : groups) options_.push_back(checked(group.options().value_or(defaults_)));
  }

 private:
  static std::vector<std::vector<Tensor>> parameters_of(const std::vector<ParamGroup>& groups) {
    std::vector<std::vector<Tensor>> result;
    for (const ParamGroup& group : groups) result.push_back(group.params());
    return result;
  }
  Options checked(Options options) const {
    options.check(name());
    return options;
  }
  Hyperparameters hyperparameters(std::size_t group) const override { return options_[group].hyperparameters(); }
  void check_hyperparameters(const Hyperparameters& values, std::string_view context) const override {
    Options::from_hyperparameters(values, context).check(context);
  }
  void set_hyperparameters(std::size_t group, const Hyperparameters& values) override {
    options_[group] = Options::from_hyperparameters(values, name());
  }

  Options defaults_;
  std::vector<Options> options_;  // [group]
};

}  // namespace ag::optim

#pragma GCC visibility pop
