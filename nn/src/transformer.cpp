#include <nn/transformer.hpp>

#include <autograd/error.hpp>
#include <autograd/ops/activation.hpp>
#include <autograd/ops/arithmetic.hpp>

#include <fmt/format.h>

namespace ag::nn {

TransformerEncoderLayer::TransformerEncoderLayer(TransformerEncoderLayerOptions options) : options_(options) {
  if (options.dim_feedforward() <= 0)
    fail("TransformerEncoderLayer: dim_feedforward ({}) must be positive", options.dim_feedforward());
  if (options.activation() != "relu" && options.activation() != "gelu")
    fail("TransformerEncoderLayer: activation '{}' is not one of 'relu', 'gelu'", options.activation());
  if (!(options.dropout() >= 0.0 && options.dropout() <= 1.0))
    fail("TransformerEncoderLayer: dropout {} lies outside [0, 1]", options.dropout());
  const std::int64_t d_model = options.d_model();
  if (d_model <= 0 || options.nhead() <= 0 || d_model % options.nhead() != 0)
    fail("TransformerEncoderLayer: d_model ({}) must be positive and divisible by nhead ({})", d_model,
         options.nhead());
  const LinearOptions linear_options = LinearOptions().dtype(options.dtype());
  self_attn = register_module("self_attn",
                              std::make_shared<MultiheadAttention>(MultiheadAttentionOptions(d_model, options.nhead())
                                                                       .dropout(options.dropout())
                                                                       .batch_first(options.batch_first())
                                                                       .dtype(options.dtype())));
  linear1 = register_module("linear1", std::make_shared<Linear>(d_model, options.dim_feedforward(), linear_options));
  dropout = register_module("dropout", std::make_shared<Dropout>(options.dropout()));
  linear2 = register_module("linear2", std::make_shared<Linear>(options.dim_feedforward(), d_model, linear_options));
  const LayerNormOptions norm_options =
      LayerNormOptions({d_model}).eps(options.layer_norm_eps()).dtype(options.dtype());
  norm1 = register_module("norm1", std::make_shared<LayerNorm>(norm_options));
  norm2 = register_module("norm2", std::make_shared<LayerNorm>(norm_options));
  dropout1 = register_module("dropout1", std::make_shared<Dropout>(options.dropout()));
  dropout2 = register_module("dropout2", std::make_shared<Dropout>(options.dropout()));
}

std::string TransformerEncoderLayer::extra_repr() const {
  return fmt::format(
      "d_model={}, nhead={}, dim_feedforward={}, dropout={}, activation={}, batch_first={}, "
      "norm_first={}",
      options_.d_model(), options_.nhead(), options_.dim_feedforward(), options_.dropout(), options_.activation(),
      options_.batch_first(), options_.norm_first());
}

Tensor TransformerEncoderLayer::forward(const Tensor& src) { return forward(src, Tensor()); }

Tensor TransformerEncoderLayer::forward(const Tensor& src, const Tensor& src_mask, const Tensor& src_key_padding_mask,
                                        bool is_causal) {
  if (options_.norm_first()) {
    const Tensor x = src + attention_block(norm1->forward(src), src_mask, src_key_padding_mask, is_causal);
    return x + feed_forward_block(norm2->forward(x));
  }
  const Tensor x = norm1->forward(src + attention_block(src, src_mask, src_key_padding_mask, is_causal));
  return norm2->forward(x + feed_forward_block(x));
}

Tensor TransformerEncoderLayer::attention_block(const Tensor& x, const Tensor& mask, const Tensor& key_padding_mask,
                                                bool is_causal) {
  const auto [attended, weights] = self_attn->forward(x, x, x,
                                                      MultiheadAttentionForwardOptions()
                                                          .attn_mask(mask)
                                                          .key_padding_mask(key_padding_mask)
                                                          .need_weights(false)
                                                          .is_causal(is_causal));
  return dropout1->forward(attended);
}

Tensor TransformerEncoderLayer::feed_forward_block(const Tensor& x) {
  const Tensor hidden = linear1->forward(x);
  const Tensor activated = options_.activation() == "gelu" ? gelu(hidden) : relu(hidden);
  return dropout2->forward(linear2->forward(dropout->forward(activated)));
}

}  // namespace ag::nn
