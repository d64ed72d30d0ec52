#include <nn/nn.hpp>
#include <nn/rnn.hpp>

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"
#include "reference/rnn_attention_reference.hpp"

#include <cmath>
#include <string>
#include <vector>

using Catch::Contains;

namespace {

ag::nn::RNNOptions double_options(std::int64_t input_size, std::int64_t hidden_size) {
  return ag::nn::RNNOptions(input_size, hidden_size).dtype(ag::kFloat64);
}

std::vector<std::string> names_of(const ag::nn::NamedTensors& tensors) {
  std::vector<std::string> names;
  for (const auto& [name, tensor] : tensors) names.push_back(name);
  return names;
}

// Points the layer at gradcheck's copies of its parameters: in[first..] replaces them in named_parameters() order.
void use_parameters(ag::nn::RNNBase& layer, const std::vector<ag::Tensor>& in, std::size_t first) {
  std::size_t next = first;
  for (std::size_t l = 0; l < layer.weight_ih.size(); ++l) {
    layer.weight_ih[l] = in[next++];
    layer.weight_hh[l] = in[next++];
    if (!layer.bias_ih.empty()) {
      layer.bias_ih[l] = in[next++];
      layer.bias_hh[l] = in[next++];
    }
  }
}

}  // namespace

TEST_CASE("GRU and LSTM name and shape their parameters as PyTorch", "[nn][rnn]") {
  ag::nn::LSTM lstm(ag::nn::LSTMOptions(3, 4).num_layers(2));
  CHECK(names_of(lstm.named_parameters()) == std::vector<std::string>{"weight_ih_l0", "weight_hh_l0", "bias_ih_l0",
                                                                      "bias_hh_l0", "weight_ih_l1", "weight_hh_l1",
                                                                      "bias_ih_l1", "bias_hh_l1"});
  CHECK(lstm.weight_ih[0].shape() == ag::Shape{16, 3});
  CHECK(lstm.weight_hh[0].shape() == ag::Shape{16, 4});
  CHECK(lstm.weight_ih[1].shape() == ag::Shape{16, 4});
  CHECK(lstm.bias_hh[1].shape() == ag::Shape{16});

  ag::nn::GRU gru(ag::nn::GRUOptions(3, 5).bias(false));
  CHECK(names_of(gru.named_parameters()) == std::vector<std::string>{"weight_ih_l0", "weight_hh_l0"});
  CHECK(gru.weight_ih[0].shape() == ag::Shape{15, 3});
  CHECK(gru.weight_ih[0].dtype() == ag::kFloat32);
}

TEST_CASE("GRU and LSTM draw every parameter uniformly from ±1/sqrt(hidden_size)", "[nn][rnn]") {
  ag::manual_seed(3);
  ag::nn::GRU gru(ag::nn::GRUOptions(20, 16).num_layers(2));
  const double bound = 0.25;
  for (const auto& [name, parameter] : gru.named_parameters()) {
    INFO(name);
    CHECK(ag::max(parameter).item() <= bound);
    CHECK(ag::min(parameter).item() >= -bound);
    CHECK(ag::max(parameter).item() > 0.8 * bound);  // spread over the range, not bunched near 0
  }
}

TEST_CASE("GRU matches PyTorch's outputs for the same weights", "[nn][rnn][reference]") {
  SECTION("two layers, sequence first, with h0") {
    ag::nn::GRU gru(double_options(3, 4).num_layers(2));
    gru.load_state_dict(reference_parameters("gru_seq"));
    const auto [output, h_n] = gru.forward(reference("gru_seq", "input"), reference("gru_seq", "h0"));
    check_matches(output, reference("gru_seq", "output"));
    check_matches(h_n, reference("gru_seq", "h_n"));
  }
  SECTION("batch first, without bias or h0") {
    ag::nn::GRU gru(double_options(3, 5).bias(false).batch_first(true));
    gru.load_state_dict(reference_parameters("gru_batch_first"));
    const auto [output, h_n] = gru.forward(reference("gru_batch_first", "input"));
    check_matches(output, reference("gru_batch_first", "output"));
    check_matches(h_n, reference("gru_batch_first", "h_n"));
  }
}

TEST_CASE("LSTM matches PyTorch's outputs for the same weights", "[nn][rnn][reference]") {
  SECTION("two layers, sequence first, with h0 and c0") {
    ag::nn::LSTM lstm(double_options(3, 4).num_layers(2));
    lstm.load_state_dict(reference_parameters("lstm_seq"));
    const auto [output, state] =
        lstm.forward(reference("lstm_seq", "input"), {reference("lstm_seq", "h0"), reference("lstm_seq", "c0")});
    check_matches(output, reference("lstm_seq", "output"));
    check_matches(std::get<0>(state), reference("lstm_seq", "h_n"));
    check_matches(std::get<1>(state), reference("lstm_seq", "c_n"));
  }
  SECTION("batch first, without bias or initial state") {
    ag::nn::LSTM lstm(double_options(3, 5).bias(false).batch_first(true));
    lstm.load_state_dict(reference_parameters("lstm_batch_first"));
    const auto [output, state] = lstm.forward(reference("lstm_batch_first", "input"));
    check_matches(output, reference("lstm_batch_first", "output"));
    check_matches(std::get<0>(state), reference("lstm_batch_first", "h_n"));
    check_matches(std::get<1>(state), reference("lstm_batch_first", "c_n"));
  }
}

TEST_CASE("GRU and LSTM treat an unbatched sequence as a batch of one", "[nn][rnn]") {
  ag::manual_seed(5);
  const ag::Tensor sequence = ag::randn({4, 3}, ag::kFloat64);
  ag::nn::GRU gru(double_options(3, 2).num_layers(2));
  const ag::Tensor h0 = ag::randn({2, 2}, ag::kFloat64);
  const auto [output, h_n] = gru.forward(sequence, h0);
  const auto [batched_output, batched_h_n] = gru.forward(sequence.unsqueeze(1), h0.unsqueeze(1));
  CHECK(output.shape() == ag::Shape{4, 2});
  CHECK(h_n.shape() == ag::Shape{2, 2});
  check_matches(output, batched_output.squeeze(1), 0.0);
  check_matches(h_n, batched_h_n.squeeze(1), 0.0);

  ag::nn::LSTM lstm(double_options(3, 2).batch_first(true));
  const auto [lstm_output, state] = lstm.forward(sequence);
  const auto [lstm_batched, batched_state] = lstm.forward(sequence.unsqueeze(0));
  check_matches(lstm_output, lstm_batched.squeeze(0), 0.0);
  check_matches(std::get<1>(state), std::get<1>(batched_state).squeeze(1), 0.0);
}

TEST_CASE("GRU's output is its last layer's state at every step", "[nn][rnn]") {
  ag::manual_seed(6);
  ag::nn::GRU gru(double_options(2, 3).num_layers(2).batch_first(true));
  const auto [output, h_n] = gru.forward(ag::randn({2, 5, 2}, ag::kFloat64));
  CHECK(output.shape() == ag::Shape{2, 5, 3});
  CHECK(h_n.shape() == ag::Shape{2, 2, 3});
  check_matches(output.slice(1, 4, 5).squeeze(1), h_n[1], 0.0);
}

TEST_CASE("RNN dropout acts between layers in training mode only", "[nn][rnn]") {
  ag::manual_seed(7);
  const ag::Tensor input = ag::randn({5, 2, 3}, ag::kFloat64);
  ag::nn::LSTM plain(double_options(3, 4).num_layers(2));
  ag::nn::LSTM dropped(double_options(3, 4).num_layers(2).dropout(0.5));
  dropped.load_state_dict(plain.state_dict());
  const ag::Tensor expected = std::get<0>(plain.forward(input));
  CHECK(ag::max(ag::abs(std::get<0>(dropped.forward(input)) - expected)).item() > 1e-3);
  dropped.eval();
  check_matches(std::get<0>(dropped.forward(input)), expected, 0.0);
}

TEST_CASE("GRU passes gradcheck and gradgradcheck in its input, h0 and weights", "[nn][rnn][gradcheck]") {
  ag::manual_seed(8);
  ag::nn::GRU gru(double_options(2, 3).num_layers(2));
  const auto through_gru = [&](const std::vector<ag::Tensor>& in) {
    use_parameters(gru, in, 2);
    const auto [output, h_n] = gru.forward(in[0], in[1]);
    return ag::sum(output) + ag::sum(h_n * h_n);
  };
  std::vector<ag::Tensor> inputs = {ag::randn({3, 2, 2}, ag::kFloat64), ag::randn({2, 2, 3}, ag::kFloat64)};
  for (const ag::Tensor& parameter : gru.parameters()) inputs.push_back(parameter);
  CHECK_THAT(ag::gradcheck(through_gru, inputs), PassesGradcheck());
  CHECK_THAT(ag::gradgradcheck(through_gru, inputs), PassesGradcheck());
}

TEST_CASE("LSTM passes gradcheck and gradgradcheck in its input, states and weights", "[nn][rnn][gradcheck]") {
  ag::manual_seed(9);
  ag::nn::LSTM lstm(double_options(2, 3).num_layers(2).batch_first(true));
  const auto through_lstm = [&](const std::vector<ag::Tensor>& in) {
    use_parameters(lstm, in, 3);
    const auto [output, state] = lstm.forward(in[0], {in[1], in[2]});
    return ag::sum(output) + ag::sum(std::get<0>(state) * std::get<1>(state));
  };
  std::vector<ag::Tensor> inputs = {ag::randn({2, 3, 2}, ag::kFloat64), ag::randn({2, 2, 3}, ag::kFloat64),
                                    ag::randn({2, 2, 3}, ag::kFloat64)};
  for (const ag::Tensor& parameter : lstm.parameters()) inputs.push_back(parameter);
  CHECK_THAT(ag::gradcheck(through_lstm, inputs), PassesGradcheck());
  CHECK_THAT(ag::gradgradcheck(through_lstm, inputs), PassesGradcheck());
}

TEST_CASE("GRU and LSTM reject bad settings, inputs and states, naming the shapes", "[nn][rnn][errors]") {
  CHECK_THROWS_WITH(ag::nn::GRU(0, 4), Contains("GRU") && Contains("input_size (0)"));
  CHECK_THROWS_WITH(ag::nn::LSTM(ag::nn::LSTMOptions(3, 4).num_layers(0)),
                    Contains("LSTM") && Contains("num_layers (0)"));
  CHECK_THROWS_WITH(ag::nn::GRU(ag::nn::GRUOptions(3, 4).dropout(1.5)), Contains("GRU: dropout 1.5"));

  ag::nn::GRU gru(double_options(3, 4).num_layers(2));
  CHECK_THROWS_WITH(gru.forward(ag::zeros({5, 2, 2}, ag::kFloat64)),
                    Contains("GRU") && Contains("[5, 2, 2]") && Contains("input_size = 3"));
  CHECK_THROWS_WITH(gru.forward(ag::zeros({3}, ag::kFloat64)), Contains("GRU") && Contains("[3]"));
  CHECK_THROWS_WITH(gru.forward(ag::zeros({0, 2, 3}, ag::kFloat64)), Contains("GRU") && Contains("no steps"));
  CHECK_THROWS_WITH(gru.forward(ag::zeros({5, 2, 3})), Contains("GRU") && Contains("float32") && Contains("float64"));
  CHECK_THROWS_WITH(gru.forward(ag::zeros({5, 2, 3}, ag::kFloat64), ag::zeros({1, 2, 4}, ag::kFloat64)),
                    Contains("GRU: h0 of shape [1, 2, 4]") && Contains("[5, 2, 3]") && Contains("[2, 2, 4]"));

  ag::nn::LSTM lstm(double_options(3, 4));
  const ag::Tensor input = ag::zeros({5, 2, 3}, ag::kFloat64);
  CHECK_THROWS_WITH(lstm.forward(input, {ag::zeros({1, 2, 4}, ag::kFloat64), ag::Tensor()}), Contains("LSTM: only h0"));
  CHECK_THROWS_WITH(lstm.forward(input, {ag::zeros({1, 2, 4}, ag::kFloat64), ag::zeros({1, 3, 4}, ag::kFloat64)}),
                    Contains("LSTM: c0 of shape [1, 3, 4]") && Contains("[1, 2, 4]"));
}
