#include <nn/nn.hpp>
#include <nn/transformer.hpp>

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"
#include "reference/rnn_attention_reference.hpp"

#include <string>
#include <vector>

using ag::nn::TransformerEncoderLayer;
using ag::nn::TransformerEncoderLayerOptions;
using Catch::Contains;

namespace {

TransformerEncoderLayerOptions double_options(std::int64_t d_model, std::int64_t nhead) {
  return TransformerEncoderLayerOptions(d_model, nhead).dtype(ag::kFloat64);
}

}  // namespace

TEST_CASE("TransformerEncoderLayer has PyTorch's defaults and submodule names", "[nn][transformer]") {
  TransformerEncoderLayer layer(8, 2);
  CHECK(layer.options().dim_feedforward() == 2048);
  CHECK(layer.options().dropout() == 0.1);
  CHECK(layer.options().activation() == "relu");
  CHECK_FALSE(layer.options().batch_first());
  CHECK_FALSE(layer.options().norm_first());
  std::vector<std::string> children;
  for (const auto& [name, child] : layer.named_children()) children.push_back(name);
  CHECK(children == std::vector<std::string>{"self_attn", "linear1", "dropout", "linear2", "norm1", "norm2", "dropout1",
                                             "dropout2"});
  CHECK(layer.linear1->weight.shape() == ag::Shape{2048, 8});
  CHECK(layer.self_attn->options().dropout() == 0.1);
}

TEST_CASE("TransformerEncoderLayer matches PyTorch's outputs for the same weights", "[nn][transformer][reference]") {
  SECTION("post-norm, batch first, causal") {
    TransformerEncoderLayer layer(double_options(8, 2).dim_feedforward(16).batch_first(true));
    layer.load_state_dict(reference_parameters("encoder_post_norm"));
    layer.eval();
    const ag::Tensor x = reference("encoder_post_norm", "input");
    check_matches(layer.forward(x, ag::nn::generate_square_subsequent_mask(5, ag::kFloat64)),
                  reference("encoder_post_norm", "output"));
    check_matches(layer.forward(x, ag::Tensor(), ag::Tensor(), true), reference("encoder_post_norm", "output"));
  }
  SECTION("pre-norm, sequence first, gelu") {
    TransformerEncoderLayer layer(double_options(8, 4).dim_feedforward(12).activation("gelu").norm_first(true));
    layer.load_state_dict(reference_parameters("encoder_pre_norm"));
    layer.eval();
    check_matches(layer(reference("encoder_pre_norm", "input")), reference("encoder_pre_norm", "output"));
  }
}

TEST_CASE("TransformerEncoderLayer applies dropout in training mode only", "[nn][transformer]") {
  ag::manual_seed(3);
  TransformerEncoderLayer layer(double_options(4, 2).dim_feedforward(8).dropout(0.5));
  const ag::Tensor x = ag::randn({3, 2, 4}, ag::kFloat64);
  const ag::Tensor trained = layer(x);
  layer.eval();
  const ag::Tensor evaluated = layer(x);
  CHECK(ag::max(ag::abs(trained - evaluated)).item() > 1e-3);
  check_matches(layer(x), evaluated, 0.0);
}

TEST_CASE("TransformerEncoderLayer passes gradcheck and gradgradcheck in its input and weights",
          "[nn][transformer][gradcheck]") {
  ag::manual_seed(4);
  for (const bool norm_first : {false, true}) {
    INFO("norm_first " << norm_first);
    TransformerEncoderLayer layer(double_options(4, 2).dim_feedforward(6).dropout(0.0).norm_first(norm_first));
    const auto through_layer = [&](const std::vector<ag::Tensor>& in) {
      layer.linear1->weight = in[1];
      layer.self_attn->in_proj_weight = in[2];
      layer.norm1->weight = in[3];
      return layer.forward(in[0], ag::Tensor(), ag::Tensor(), true);
    };
    const std::vector<ag::Tensor> inputs = {ag::randn({3, 2, 4}, ag::kFloat64), layer.linear1->weight,
                                            layer.self_attn->in_proj_weight, layer.norm1->weight};
    CHECK_THAT(ag::gradcheck(through_layer, inputs), PassesGradcheck());
    CHECK_THAT(ag::gradgradcheck(through_layer, inputs), PassesGradcheck());
  }
}

TEST_CASE("TransformerEncoderLayer rejects bad settings and inputs", "[nn][transformer][errors]") {
  CHECK_THROWS_WITH(TransformerEncoderLayer(6, 4),
                    Contains("TransformerEncoderLayer: d_model (6) must be positive and divisible by nhead (4)"));
  CHECK_THROWS_WITH(TransformerEncoderLayer(TransformerEncoderLayerOptions(4, 2).activation("tanh")),
                    Contains("activation 'tanh'") && Contains("'relu', 'gelu'"));
  CHECK_THROWS_WITH(TransformerEncoderLayer(TransformerEncoderLayerOptions(4, 2).dim_feedforward(0)),
                    Contains("dim_feedforward (0)"));
  TransformerEncoderLayer layer(double_options(4, 2).dim_feedforward(8));
  CHECK_THROWS_WITH(layer(ag::zeros({3, 2, 5}, ag::kFloat64)), Contains("[3, 2, 5]") && Contains("embed_dim = 4"));
}
