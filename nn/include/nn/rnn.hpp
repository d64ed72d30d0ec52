#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Recurrent layers, as torch::nn::GRU and torch::nn::LSTM: PyTorch's gate order, parameter names
/// (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, weight_ih_l1, ...) and shapes, so a state_dict moves
/// between the two without renaming. Unidirectional only.

#include <autograd/detail/options_arg.hpp>
#include <autograd/dtype.hpp>
#include <nn/module.hpp>

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

namespace ag::nn {

/// Chainable settings of a GRU or LSTM: GRUOptions(input_size, hidden_size).num_layers(2).batch_first(true).
/// Each setting `x` has a getter x() and a setter x(value) that returns a changed copy.
class RNNOptions {
 public:
  /// Settings for a layer reading `input_size` features per step into a state of `hidden_size` features.
  RNNOptions(std::int64_t input_size, std::int64_t hidden_size) : input_size_(input_size), hidden_size_(hidden_size) {}

  /// The number of features of each input step.
  ///@{
  AG_ARG(std::int64_t, input_size);
  ///@}
  /// The number of features of the hidden state.
  ///@{
  AG_ARG(std::int64_t, hidden_size);
  ///@}
  /// Stacked layers, each reading the previous one's output (default 1).
  ///@{
  AG_ARG(std::int64_t, num_layers) = 1;
  ///@}
  /// Whether the layers have the biases bias_ih_l* and bias_hh_l* (default true).
  ///@{
  AG_ARG(bool, bias) = true;
  ///@}
  /// Whether input and output are [batch, seq, feature] rather than [seq, batch, feature] (default false). The
  /// hidden states are [num_layers, batch, hidden_size] either way, as in PyTorch.
  ///@{
  AG_ARG(bool, batch_first) = false;
  ///@}
  /// The probability of zeroing each output of every layer but the last, in training mode (default 0).
  ///@{
  AG_ARG(double, dropout) = 0.0;
  ///@}
  /// The dtype of the parameters. The default is the one set when the options are made (ag::set_default_dtype).
  ///@{
  AG_ARG(DType, dtype) = default_dtype();
  ///@}
};

/// Settings of a GRU (see RNNOptions).
using GRUOptions = RNNOptions;
/// Settings of an LSTM (see RNNOptions).
using LSTMOptions = RNNOptions;

/// What GRU and LSTM share: the parameters of each layer and the checks of the input and states. Each layer has
/// weight_ih_l<k> [gates * hidden_size, input size of the layer], weight_hh_l<k> [gates * hidden_size, hidden_size]
/// and, with bias, bias_ih_l<k> and bias_hh_l<k> [gates * hidden_size], all drawn uniformly from
/// ±1/sqrt(hidden_size) as in PyTorch.
class RNNBase : public Module {
 public:
  /// Draws new values for every parameter, uniform in ±1/sqrt(hidden_size).
  void reset_parameters();
  std::string extra_repr() const override;

  /// The settings the layer was made with.
  const RNNOptions& options() const { return options_; }

  /// weight_ih_l<k> for each layer k.
  std::vector<Tensor> weight_ih;
  /// weight_hh_l<k> for each layer k.
  std::vector<Tensor> weight_hh;
  /// bias_ih_l<k> for each layer k; empty without bias.
  std::vector<Tensor> bias_ih;
  /// bias_hh_l<k> for each layer k; empty without bias.
  std::vector<Tensor> bias_hh;

 protected:
  /// Registers the parameters of `gates` gates per layer. Throws ag::Error naming `module` if a size is not
  /// positive or dropout lies outside [0, 1].
  RNNBase(const char* module, std::int64_t gates, RNNOptions options);

  /// The input as [seq, batch, input_size] (transposed from batch_first, given a batch dimension when unbatched).
  /// Throws ag::Error naming the module and the shape unless the input is 2-D or 3-D and ends in input_size.
  Tensor sequence_first(const Tensor& input) const;
  /// The output of sequence_first's layout in the caller's: batch_first or unbatched as the input was.
  Tensor caller_layout(const Tensor& output, const Tensor& input) const;
  /// A given initial state `state` (called `what` in errors) as [num_layers, batch, hidden_size], or zeros when it
  /// is undefined. Throws ag::Error naming the module and both shapes unless it fits the input.
  Tensor initial_state(const Tensor& state, const char* what, const Tensor& input, std::int64_t batch) const;
  /// A final state [num_layers, batch, hidden_size] without its batch dimension when the input had none.
  Tensor state_layout(const Tensor& state, const Tensor& input) const;
  /// The output of layer `layer` as the next layer reads it: with dropout in training mode, except after the last.
  Tensor between_layers(const Tensor& output, std::size_t layer) const;

 private:
  const char* module_;
  RNNOptions options_;
};

/// A multi-layer gated recurrent unit, as torch::nn::GRU. For each step t and layer, with x the layer's input and
/// h the previous state:
///   r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz),
///   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),  h' = (1 - z) ⊙ n + z ⊙ h,
/// the gates stacked in the order r, z, n in each weight. The input projections of all steps are one matrix
/// product per layer.
class GRU : public RNNBase {
 public:
  /// A GRU with the given settings, its parameters drawn uniformly from ±1/sqrt(hidden_size).
  /// Throws ag::Error if input_size, hidden_size or num_layers is not positive, or dropout lies outside [0, 1].
  explicit GRU(RNNOptions options);
  /// GRU(GRUOptions(input_size, hidden_size)).
  GRU(std::int64_t input_size, std::int64_t hidden_size) : GRU(RNNOptions(input_size, hidden_size)) {}

  /// Runs the layers over `input` ([seq, batch, input_size], [batch, seq, input_size] with batch_first, or
  /// [seq, input_size] unbatched) from the state `h0` ([num_layers, batch, hidden_size], or [num_layers,
  /// hidden_size] unbatched; zeros when undefined). Returns the last layer's state at every step (the input's
  /// layout with hidden_size features) and every layer's final state (h0's layout), as LibTorch.
  /// Throws ag::Error naming both shapes if the input is not 2-D or 3-D, does not end in input_size, or h0 does
  /// not fit it.
  std::tuple<Tensor, Tensor> forward(const Tensor& input, const Tensor& h0 = Tensor());
  std::string name() const override { return "GRU"; }
};

/// A multi-layer long short-term memory, as torch::nn::LSTM. For each step t and layer, with x the layer's input,
/// h and c the previous states:
///   i = σ(W_ii x + b_ii + W_hi h + b_hi),  f = σ(W_if x + b_if + W_hf h + b_hf),
///   g = tanh(W_ig x + b_ig + W_hg h + b_hg),  o = σ(W_io x + b_io + W_ho h + b_ho),
///   c' = f ⊙ c + i ⊙ g,  h' = o ⊙ tanh(c'),
/// the gates stacked in the order i, f, g, o in each weight.
class LSTM : public RNNBase {
 public:
  /// An LSTM with the given settings, its parameters drawn uniformly from ±1/sqrt(hidden_size).
  /// Throws ag::Error if input_size, hidden_size or num_layers is not positive, or dropout lies outside [0, 1].
  explicit LSTM(RNNOptions options);
  /// LSTM(LSTMOptions(input_size, hidden_size)).
  LSTM(std::int64_t input_size, std::int64_t hidden_size) : LSTM(RNNOptions(input_size, hidden_size)) {}

  /// Runs the layers over `input` (laid out as for GRU::forward) from the states `state` = (h0, c0), each
  /// [num_layers, batch, hidden_size] (zeros when both are undefined). Returns the last layer's h at every step
  /// and the final (h_n, c_n) of every layer, as LibTorch. Throws ag::Error naming both shapes if the input is not
  /// 2-D or 3-D, does not end in input_size, or h0 or c0 does not fit it, or only one of them is given.
  std::tuple<Tensor, std::tuple<Tensor, Tensor>> forward(const Tensor& input,
                                                         const std::tuple<Tensor, Tensor>& state = {});
  std::string name() const override { return "LSTM"; }
};

}  // namespace ag::nn

#pragma GCC visibility pop
