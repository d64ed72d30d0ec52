#include <nn/init.hpp>
#include <nn/rnn.hpp>

#include <autograd/creation.hpp>
#include <autograd/error.hpp>
#include <autograd/ops/activation.hpp>
#include <autograd/ops/arithmetic.hpp>
#include <autograd/ops/dropout.hpp>
#include <autograd/ops/indexing.hpp>
#include <autograd/ops/linalg.hpp>
#include <autograd/ops/shape_ops.hpp>

#include <fmt/format.h>

#include <cmath>

namespace ag::nn {

namespace {

Tensor bias_or_none(const std::vector<Tensor>& biases, std::size_t layer) {
  return biases.empty() ? Tensor() : biases[layer];
}

}  // namespace

RNNBase::RNNBase(const char* module, std::int64_t gates, RNNOptions options) : module_(module), options_(options) {
  if (options.input_size() <= 0 || options.hidden_size() <= 0 || options.num_layers() <= 0)
    fail("{}: input_size ({}), hidden_size ({}) and num_layers ({}) must be positive", module, options.input_size(),
         options.hidden_size(), options.num_layers());
  if (!(options.dropout() >= 0.0 && options.dropout() <= 1.0))
    fail("{}: dropout {} lies outside [0, 1]", module, options.dropout());
  const std::int64_t hidden = options.hidden_size();
  for (std::int64_t layer = 0; layer < options.num_layers(); ++layer) {
    const std::int64_t layer_input = layer == 0 ? options.input_size() : hidden;
    weight_ih.push_back(
        register_parameter(fmt::format("weight_ih_l{}", layer), empty({gates * hidden, layer_input}, options.dtype())));
    weight_hh.push_back(
        register_parameter(fmt::format("weight_hh_l{}", layer), empty({gates * hidden, hidden}, options.dtype())));
    if (options.bias()) {
      bias_ih.push_back(
          register_parameter(fmt::format("bias_ih_l{}", layer), empty({gates * hidden}, options.dtype())));
      bias_hh.push_back(
          register_parameter(fmt::format("bias_hh_l{}", layer), empty({gates * hidden}, options.dtype())));
    }
  }
  reset_parameters();
}

void RNNBase::reset_parameters() {
  const double bound = 1.0 / std::sqrt(static_cast<double>(options_.hidden_size()));
  for (const Tensor& parameter : parameters()) init::uniform_(parameter, -bound, bound);
}

std::string RNNBase::extra_repr() const {
  return fmt::format("{}, {}, num_layers={}, bias={}, batch_first={}, dropout={}", options_.input_size(),
                     options_.hidden_size(), options_.num_layers(), options_.bias(), options_.batch_first(),
                     options_.dropout());
}

Tensor RNNBase::sequence_first(const Tensor& input) const {
  const std::int64_t features = options_.input_size();
  const char* layout = options_.batch_first() ? "batch, seq" : "seq, batch";
  if ((input.dim() != 2 && input.dim() != 3) || input.shape().back() != features)
    fail("{}: input of shape {} does not fit input_size = {} (expected [{}, {}], or [seq, {}] unbatched)", module_,
         input.shape(), features, layout, features, features);
  if (input.dtype() != weight_ih[0].dtype())
    fail("{}: input of dtype {} differs from the parameters' dtype {}", module_, dtype_name(input.dtype()),
         dtype_name(weight_ih[0].dtype()));
  if (input.dim() == 2) {
    if (input.size(0) == 0) fail("{}: input of shape {} has no steps; expected at least one", module_, input.shape());
    return unsqueeze(input, 1);
  }
  const Tensor sequence = options_.batch_first() ? transpose(input, 0, 1) : input;
  if (sequence.size(0) == 0) fail("{}: input of shape {} has no steps; expected at least one", module_, input.shape());
  return sequence;
}

Tensor RNNBase::caller_layout(const Tensor& output, const Tensor& input) const {
  if (input.dim() == 2) return squeeze(output, 1);
  return options_.batch_first() ? transpose(output, 0, 1) : output;
}

Tensor RNNBase::initial_state(const Tensor& state, const char* what, const Tensor& input, std::int64_t batch) const {
  const std::int64_t layers = options_.num_layers();
  const std::int64_t hidden = options_.hidden_size();
  if (!state.defined()) return zeros({layers, batch, hidden}, weight_ih[0].dtype());
  const bool unbatched = input.dim() == 2;
  const Shape expected = unbatched ? Shape{layers, hidden} : Shape{layers, batch, hidden};
  if (state.shape() != expected)
    fail("{}: {} of shape {} does not fit the input of shape {} (expected {}: [num_layers, {}hidden_size])", module_,
         what, state.shape(), input.shape(), expected, unbatched ? "" : "batch, ");
  if (state.dtype() != weight_ih[0].dtype())
    fail("{}: {} of dtype {} differs from the parameters' dtype {}", module_, what, dtype_name(state.dtype()),
         dtype_name(weight_ih[0].dtype()));
  return unbatched ? unsqueeze(state, 1) : state;
}

Tensor RNNBase::state_layout(const Tensor& state, const Tensor& input) const {
  return input.dim() == 2 ? squeeze(state, 1) : state;
}

Tensor RNNBase::between_layers(const Tensor& output, std::size_t layer) const {
  const bool last = layer + 1 == weight_ih.size();
  if (last || !is_training() || options_.dropout() == 0.0) return output;
  return dropout(output, options_.dropout(), true);
}

GRU::GRU(RNNOptions options) : RNNBase("GRU", 3, options) {}

std::tuple<Tensor, Tensor> GRU::forward(const Tensor& input, const Tensor& h0) {
  Tensor x = sequence_first(input);
  const std::int64_t steps = x.size(0);
  const std::int64_t hidden = options().hidden_size();
  const Tensor initial = initial_state(h0, "h0", input, x.size(1));
  std::vector<Tensor> finals;
  for (std::size_t layer = 0; layer < weight_ih.size(); ++layer) {
    const Tensor input_gates = linear(x, weight_ih[layer], bias_or_none(bias_ih, layer));
    const Tensor hidden_bias = bias_or_none(bias_hh, layer);
    Tensor h = index(initial, static_cast<std::int64_t>(layer));
    std::vector<Tensor> outputs;
    outputs.reserve(static_cast<std::size_t>(steps));
    for (std::int64_t t = 0; t < steps; ++t) {
      const Tensor gi = index(input_gates, t);
      const Tensor gh = linear(h, weight_hh[layer], hidden_bias);
      const Tensor reset_update = sigmoid(narrow(gi, 1, 0, 2 * hidden) + narrow(gh, 1, 0, 2 * hidden));
      const Tensor reset = narrow(reset_update, 1, 0, hidden);
      const Tensor update = narrow(reset_update, 1, hidden, hidden);
      const Tensor candidate = tanh(narrow(gi, 1, 2 * hidden, hidden) + reset * narrow(gh, 1, 2 * hidden, hidden));
      h = candidate + update * (h - candidate);  // (1 - z) n + z h with one product fewer
      outputs.push_back(h);
    }
    x = between_layers(stack(outputs, 0), layer);
    finals.push_back(h);
  }
  return {caller_layout(x, input), state_layout(stack(finals, 0), input)};
}

LSTM::LSTM(RNNOptions options) : RNNBase("LSTM", 4, options) {}

std::tuple<Tensor, std::tuple<Tensor, Tensor>> LSTM::forward(const Tensor& input,
                                                             const std::tuple<Tensor, Tensor>& state) {
  const auto& [h0, c0] = state;
  Tensor x = sequence_first(input);
  if (h0.defined() != c0.defined())
    fail("LSTM: only {} of (h0, c0) was given; give both or neither", h0.defined() ? "h0" : "c0");
  const std::int64_t steps = x.size(0);
  const std::int64_t hidden = options().hidden_size();
  const Tensor initial_h = initial_state(h0, "h0", input, x.size(1));
  const Tensor initial_c = initial_state(c0, "c0", input, x.size(1));
  std::vector<Tensor> final_h;
  std::vector<Tensor> final_c;
  for (std::size_t layer = 0; layer < weight_ih.size(); ++layer) {
    const Tensor input_gates = linear(x, weight_ih[layer], bias_or_none(bias_ih, layer));
    const Tensor hidden_bias = bias_or_none(bias_hh, layer);
    Tensor h = index(initial_h, static_cast<std::int64_t>(layer));
    Tensor c = index(initial_c, static_cast<std::int64_t>(layer));
    std::vector<Tensor> outputs;
    outputs.reserve(static_cast<std::size_t>(steps));
    for (std::int64_t t = 0; t < steps; ++t) {
      const Tensor gates = index(input_gates, t) + linear(h, weight_hh[layer], hidden_bias);
      // One sigmoid over all four gates records fewer ops than three over slices; g's share goes unused.
      const Tensor sigmoids = sigmoid(gates);
      const Tensor input_gate = narrow(sigmoids, 1, 0, hidden);
      const Tensor forget_gate = narrow(sigmoids, 1, hidden, hidden);
      const Tensor cell_gate = tanh(narrow(gates, 1, 2 * hidden, hidden));
      const Tensor output_gate = narrow(sigmoids, 1, 3 * hidden, hidden);
      c = forget_gate * c + input_gate * cell_gate;
      h = output_gate * tanh(c);
      outputs.push_back(h);
    }
    x = between_layers(stack(outputs, 0), layer);
    final_h.push_back(h);
    final_c.push_back(c);
  }
  return {caller_layout(x, input), {state_layout(stack(final_h, 0), input), state_layout(stack(final_c, 0), input)}};
}

}  // namespace ag::nn
