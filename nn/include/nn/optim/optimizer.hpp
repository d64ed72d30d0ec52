#pragma once

#include <autograd/tensor.hpp>
#include <nn/state_dict.hpp>

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ag::optim {

using nn::StateDict;

// Updates a fixed list of parameters from their gradients, as torch::optim::Optimizer (one parameter group).
// A parameter whose grad() is undefined (not reached by the last backward pass) is left alone by step().
class Optimizer {
 public:
  explicit Optimizer(std::vector<Tensor> parameters);
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;
  virtual ~Optimizer() = default;

  virtual void step() = 0;
  // Drops every parameter's gradient (PyTorch's set_to_none).
  void zero_grad();

  virtual double learning_rate() const = 0;
  virtual void set_learning_rate(double learning_rate) = 0;

  const std::vector<Tensor>& parameters() const { return parameters_; }

  // The optimiser's kind, for messages: "SGD", "Adam".
  virtual std::string name() const = 0;
  // Everything step() depends on, by name, for checkpoints: each hyperparameter ("lr", "momentum", ...) and
  // "parameter_count" as 0-d float64 tensors, and each parameter's buffers once they exist
  // ("state.3.momentum_buffer"). The buffers are the optimiser's own tensors, not copies.
  StateDict state_dict() const;
  // Throws an error naming `source` unless `state` is the state_dict() of this kind of optimiser over parameters
  // of the same shapes and dtypes, with valid hyperparameters.
  void check_state_dict(const StateDict& state, std::string_view source) const;
  // Checks `state`, then replaces the hyperparameters and buffers with copies of its values. A failed check
  // changes nothing.
  void load_state_dict(const StateDict& state, std::string_view source = "load_state_dict");

 protected:
  // What a state dict holds, once its names and shapes are checked: the schema's hyperparameters, and for each
  // parameter the buffers it has.
  struct SavedState {
    std::map<std::string, double, std::less<>> hyperparameters;
    std::vector<std::map<std::string, Tensor, std::less<>>> buffers;
  };
  struct StateSchema {
    std::vector<std::string> hyperparameters;
    std::vector<std::string> buffers;         // shaped like their parameter
    std::vector<std::string> scalar_buffers;  // 0-d float64, such as a step count
  };
  virtual StateSchema state_schema() const = 0;
  // The current values, in the schema's terms.
  virtual SavedState saved_state() const = 0;
  // Throws (naming `source`) if the values are invalid for this optimiser: a negative learning rate, a buffer
  // without its partner.
  virtual void check_saved_state(const SavedState& state, std::string_view source) const = 0;
  // Takes over checked values.
  virtual void restore(const SavedState& state) = 0;

 private:
  SavedState parse_state_dict(const StateDict& state, std::string_view source) const;

  std::vector<Tensor> parameters_;
};

}  // namespace ag::optim
