#include <nn/attention.hpp>
#include <nn/nn.hpp>

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"
#include "reference/rnn_attention_reference.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using ag::nn::MultiheadAttention;
using ag::nn::MultiheadAttentionForwardOptions;
using ag::nn::MultiheadAttentionOptions;
using Catch::Contains;

namespace {

MultiheadAttentionOptions double_options(std::int64_t embed_dim, std::int64_t num_heads) {
  return MultiheadAttentionOptions(embed_dim, num_heads).dtype(ag::kFloat64);
}

std::vector<std::string> names_of(const ag::nn::NamedTensors& tensors) {
  std::vector<std::string> names;
  for (const auto& [name, tensor] : tensors) names.push_back(name);
  return names;
}

}  // namespace

TEST_CASE("MultiheadAttention names its parameters as PyTorch", "[nn][attention]") {
  MultiheadAttention attention(8, 2);
  CHECK(names_of(attention.named_parameters()) ==
        std::vector<std::string>{"in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"});
  CHECK(attention.in_proj_weight.shape() == ag::Shape{24, 8});
  CHECK(attention.head_dim() == 4);
  CHECK(ag::max(ag::abs(attention.in_proj_bias)).item() == 0.0);
  CHECK(ag::max(ag::abs(attention.out_proj->bias)).item() == 0.0);

  MultiheadAttention no_bias(MultiheadAttentionOptions(6, 3).bias(false));
  CHECK(names_of(no_bias.named_parameters()) == std::vector<std::string>{"in_proj_weight", "out_proj.weight"});
}

TEST_CASE("generate_square_subsequent_mask hides the positions after each one", "[nn][attention]") {
  const double inf = std::numeric_limits<double>::infinity();
  const ag::Tensor mask = ag::nn::generate_square_subsequent_mask(3, ag::kFloat64);
  CHECK(mask.shape() == ag::Shape{3, 3});
  CHECK(mask.to_vector() == std::vector<double>{0, -inf, -inf, 0, 0, -inf, 0, 0, 0});
  CHECK_THROWS_WITH(ag::nn::generate_square_subsequent_mask(3, ag::kInt64), Contains("not floating point"));
}

TEST_CASE("MultiheadAttention matches PyTorch's outputs for the same weights", "[nn][attention][reference]") {
  SECTION("cross-attention, sequence first, with a key padding mask") {
    MultiheadAttention attention(double_options(8, 2));
    attention.load_state_dict(reference_parameters("mha_cross"));
    const auto options =
        MultiheadAttentionForwardOptions().key_padding_mask(reference("mha_cross", "key_padding_mask"));
    const ag::Tensor query = reference("mha_cross", "query");
    const ag::Tensor key = reference("mha_cross", "key");
    const ag::Tensor value = reference("mha_cross", "value");
    const auto [output, weights] = attention.forward(query, key, value, options);
    check_matches(output, reference("mha_cross", "output"));
    check_matches(weights, reference("mha_cross", "weights"));
    const auto [same_output, head_weights] = attention.forward(query, key, value, options.average_attn_weights(false));
    check_matches(head_weights, reference("mha_cross", "head_weights"));
  }
  SECTION("causal self-attention, batch first, by a float mask, a bool mask or is_causal") {
    MultiheadAttention attention(double_options(8, 4).batch_first(true));
    attention.load_state_dict(reference_parameters("mha_causal"));
    const ag::Tensor x = reference("mha_causal", "input");
    const ag::Tensor float_mask = ag::nn::generate_square_subsequent_mask(5, ag::kFloat64);
    for (const auto& options : {MultiheadAttentionForwardOptions().attn_mask(float_mask),
                                MultiheadAttentionForwardOptions().attn_mask(float_mask < 0.0),
                                MultiheadAttentionForwardOptions().is_causal(true)}) {
      const auto [output, weights] = attention.forward(x, x, x, options);
      check_matches(output, reference("mha_causal", "output"));
      check_matches(weights, reference("mha_causal", "weights"));
    }
  }
  SECTION("self-attention without biases") {
    MultiheadAttention attention(double_options(6, 3).bias(false));
    attention.load_state_dict(reference_parameters("mha_no_bias"));
    const ag::Tensor x = reference("mha_no_bias", "input");
    const auto [output, weights] = attention.forward(x, x, x);
    check_matches(output, reference("mha_no_bias", "output"));
    check_matches(weights, reference("mha_no_bias", "weights"));
    INFO("separate tensors take the path of three projections");
    check_matches(std::get<0>(attention.forward(x.clone(), x.clone(), x.clone())), reference("mha_no_bias", "output"));
  }
}

TEST_CASE("MultiheadAttention treats unbatched inputs as a batch of one", "[nn][attention]") {
  ag::manual_seed(4);
  MultiheadAttention attention(double_options(4, 2));
  const ag::Tensor query = ag::randn({3, 4}, ag::kFloat64);
  const ag::Tensor key = ag::randn({5, 4}, ag::kFloat64);
  const auto [output, weights] = attention.forward(query, key, key);
  const auto [batched, batched_weights] = attention.forward(query.unsqueeze(1), key.unsqueeze(1), key.unsqueeze(1));
  CHECK(output.shape() == ag::Shape{3, 4});
  CHECK(weights.shape() == ag::Shape{3, 5});
  check_matches(output, batched.squeeze(1), 0.0);
  check_matches(weights, batched_weights.squeeze(0), 0.0);
}

TEST_CASE("MultiheadAttention's weights sum to one over the keys and skip what is masked", "[nn][attention]") {
  ag::manual_seed(5);
  MultiheadAttention attention(double_options(4, 2).batch_first(true));
  const ag::Tensor x = ag::randn({2, 4, 4}, ag::kFloat64);
  const auto [output, weights] = attention.forward(x, x, x, MultiheadAttentionForwardOptions().is_causal(true));
  check_matches(ag::sum(weights, 2), ag::ones({2, 4}, ag::kFloat64), 1e-12);
  CHECK(weights.at({1, 0, 1}) == 0.0);
  CHECK(weights.at({1, 2, 3}) == 0.0);
  CHECK(weights.at({1, 3, 3}) > 0.0);
  const auto [unweighted, none] = attention.forward(x, x, x, MultiheadAttentionForwardOptions().need_weights(false));
  CHECK_FALSE(none.defined());
}

TEST_CASE("MultiheadAttention drops attention weights in training mode only", "[nn][attention]") {
  ag::manual_seed(6);
  MultiheadAttention attention(double_options(4, 2).dropout(0.5));
  const ag::Tensor x = ag::randn({3, 2, 4}, ag::kFloat64);
  const auto [trained, trained_weights] = attention.forward(x, x, x);
  attention.eval();
  const auto [evaluated, evaluated_weights] = attention.forward(x, x, x);
  CHECK(ag::max(ag::abs(trained - evaluated)).item() > 1e-3);
  check_matches(ag::sum(evaluated_weights, 2), ag::ones({2, 3}, ag::kFloat64), 1e-12);
}

TEST_CASE("MultiheadAttention passes gradcheck and gradgradcheck in its inputs and weights",
          "[nn][attention][gradcheck]") {
  ag::manual_seed(7);
  MultiheadAttention attention(double_options(4, 2));
  const auto use_weights = [&](const std::vector<ag::Tensor>& in, std::size_t first) {
    attention.in_proj_weight = in[first];
    attention.in_proj_bias = in[first + 1];
    attention.out_proj->weight = in[first + 2];
  };
  const std::vector<ag::Tensor> weights = {attention.in_proj_weight, attention.in_proj_bias,
                                           attention.out_proj->weight};

  SECTION("cross-attention with a key padding mask") {
    const ag::Tensor padding = ag::tensor({{0.0, 0.0, 1.0}, {0.0, 0.0, 0.0}}, ag::kFloat64) > 0.5;
    const auto cross = [&](const std::vector<ag::Tensor>& in) {
      use_weights(in, 3);
      const auto [output, attention_weights] =
          attention.forward(in[0], in[1], in[2], MultiheadAttentionForwardOptions().key_padding_mask(padding));
      return ag::sum(output) + ag::sum(attention_weights * attention_weights);
    };
    std::vector<ag::Tensor> inputs = {ag::randn({2, 2, 4}, ag::kFloat64), ag::randn({3, 2, 4}, ag::kFloat64),
                                      ag::randn({3, 2, 4}, ag::kFloat64)};
    inputs.insert(inputs.end(), weights.begin(), weights.end());
    CHECK_THAT(ag::gradcheck(cross, inputs), PassesGradcheck());
    CHECK_THAT(ag::gradgradcheck(cross, inputs), PassesGradcheck());
  }
  SECTION("causal self-attention") {
    const auto causal = [&](const std::vector<ag::Tensor>& in) {
      use_weights(in, 1);
      return std::get<0>(attention.forward(in[0], in[0], in[0], MultiheadAttentionForwardOptions().is_causal(true)));
    };
    std::vector<ag::Tensor> inputs = {ag::randn({3, 2, 4}, ag::kFloat64)};
    inputs.insert(inputs.end(), weights.begin(), weights.end());
    CHECK_THAT(ag::gradcheck(causal, inputs), PassesGradcheck());
    CHECK_THAT(ag::gradgradcheck(causal, inputs), PassesGradcheck());
  }
}

TEST_CASE("MultiheadAttention rejects bad settings and inputs, naming the shapes", "[nn][attention][errors]") {
  CHECK_THROWS_WITH(MultiheadAttention(6, 4),
                    Contains("MultiheadAttention: embed_dim (6) must be divisible by num_heads (4)"));
  CHECK_THROWS_WITH(MultiheadAttention(0, 1), Contains("MultiheadAttention") && Contains("must be positive"));
  CHECK_THROWS_WITH(MultiheadAttention(MultiheadAttentionOptions(4, 2).dropout(-0.1)), Contains("dropout -0.1"));

  MultiheadAttention attention(double_options(4, 2));
  const ag::Tensor x = ag::zeros({3, 2, 4}, ag::kFloat64);
  CHECK_THROWS_WITH(attention.forward(ag::zeros({3, 2, 5}, ag::kFloat64), x, x),
                    Contains("MultiheadAttention: query of shape [3, 2, 5]") && Contains("embed_dim = 4"));
  CHECK_THROWS_WITH(attention.forward(x, ag::zeros({3, 1, 4}, ag::kFloat64), ag::zeros({3, 1, 4}, ag::kFloat64)),
                    Contains("[3, 2, 4]") && Contains("[3, 1, 4]") && Contains("batch size"));
  CHECK_THROWS_WITH(attention.forward(x, x, ag::zeros({2, 2, 4}, ag::kFloat64)), Contains("sequence length"));
  CHECK_THROWS_WITH(attention.forward(x, ag::zeros({3, 4}, ag::kFloat64), ag::zeros({3, 4}, ag::kFloat64)),
                    Contains("all be batched"));
  CHECK_THROWS_WITH(attention.forward(x, x, x, MultiheadAttentionForwardOptions().attn_mask(ag::zeros({3, 4}))),
                    Contains("attn_mask of shape [3, 4]") && Contains("[3, 3]"));
  CHECK_THROWS_WITH(attention.forward(x, x, x, MultiheadAttentionForwardOptions().attn_mask(ag::zeros({3, 3}))),
                    Contains("attn_mask of dtype float32 must be bool or of the parameters' dtype float64"));
  CHECK_THROWS_WITH(
      attention.forward(x, x, x, MultiheadAttentionForwardOptions().key_padding_mask(ag::zeros({3, 2}) > 0.0)),
      Contains("key_padding_mask of shape [3, 2]") && Contains("[2, 3]"));
  CHECK_THROWS_WITH(attention.forward(x, ag::zeros({5, 2, 4}, ag::kFloat64), ag::zeros({5, 2, 4}, ag::kFloat64),
                                      MultiheadAttentionForwardOptions().is_causal(true)),
                    Contains("is_causal") && Contains("[3, 2, 4]") && Contains("[5, 2, 4]"));
}
