#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// A transformer encoder layer, as torch::nn::TransformerEncoderLayer, with PyTorch's submodule names (self_attn,
/// linear1, dropout, linear2, norm1, norm2, dropout1, dropout2), so that its state_dict matches PyTorch's.

#include <autograd/detail/options_arg.hpp>
#include <autograd/dtype.hpp>
#include <nn/attention.hpp>
#include <nn/dropout.hpp>
#include <nn/linear.hpp>
#include <nn/module.hpp>
#include <nn/normalization.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace ag::nn {

/// Chainable settings of a TransformerEncoderLayer: TransformerEncoderLayerOptions(64, 4).dim_feedforward(256).
class TransformerEncoderLayerOptions {
 public:
  /// Settings for embeddings of `d_model` features attended over in `nhead` heads.
  TransformerEncoderLayerOptions(std::int64_t d_model, std::int64_t nhead) : d_model_(d_model), nhead_(nhead) {}

  /// The number of features of the input and output.
  ///@{
  AG_ARG(std::int64_t, d_model);
  ///@}
  /// The number of attention heads; d_model must be divisible by it.
  ///@{
  AG_ARG(std::int64_t, nhead);
  ///@}
  /// The width of the feed-forward block (default 2048).
  ///@{
  AG_ARG(std::int64_t, dim_feedforward) = 2048;
  ///@}
  /// The dropout probability in training mode, used in the attention, the feed-forward block and after each block
  /// (default 0.1).
  ///@{
  AG_ARG(double, dropout) = 0.1;
  ///@}
  /// The feed-forward block's activation: "relu" (default) or "gelu".
  ///@{
  AG_ARG(std::string, activation) = "relu";
  ///@}
  /// The eps of both layer norms (default 1e-5).
  ///@{
  AG_ARG(double, layer_norm_eps) = 1e-5;
  ///@}
  /// Whether the input and output are [batch, seq, d_model] rather than [seq, batch, d_model] (default false).
  ///@{
  AG_ARG(bool, batch_first) = false;
  ///@}
  /// Whether each block normalises its input (pre-norm) rather than the residual sum (post-norm, the default).
  ///@{
  AG_ARG(bool, norm_first) = false;
  ///@}
  /// The dtype of the parameters. The default is the one set when the options are made (ag::set_default_dtype).
  ///@{
  AG_ARG(DType, dtype) = default_dtype();
  ///@}
};

/// Self-attention and a feed-forward block, each with a residual connection and a layer norm, as
/// torch::nn::TransformerEncoderLayer. Post-norm: x = norm1(x + sa(x)), x = norm2(x + ff(x)); pre-norm:
/// x = x + sa(norm1(x)), x = x + ff(norm2(x)); where sa(x) = dropout1(self_attn(x, x, x)) and
/// ff(x) = dropout2(linear2(dropout(activation(linear1(x))))).
class TransformerEncoderLayer : public UnaryModule {
 public:
  /// A layer with the given settings, its submodules initialised as PyTorch's. Throws ag::Error if d_model is not
  /// divisible by nhead, a size is not positive, dropout lies outside [0, 1] or the activation is unknown.
  explicit TransformerEncoderLayer(TransformerEncoderLayerOptions options);
  /// TransformerEncoderLayer(TransformerEncoderLayerOptions(d_model, nhead)).
  TransformerEncoderLayer(std::int64_t d_model, std::int64_t nhead)
      : TransformerEncoderLayer(TransformerEncoderLayerOptions(d_model, nhead)) {}

  /// The layer's output for `src` ([seq, batch, d_model], [batch, seq, d_model] with batch_first, or
  /// [seq, d_model] unbatched), without masks. Throws ag::Error as MultiheadAttention::forward.
  Tensor forward(const Tensor& src) override;
  /// The layer's output for `src` with `src_mask` ([seq, seq], bool true where attention is not allowed, or float
  /// added to the scores; undefined for none), `src_key_padding_mask` ([batch, seq] bool, true at padding) and,
  /// with `is_causal`, each position attending only to itself and earlier ones. Throws ag::Error as
  /// MultiheadAttention::forward.
  Tensor forward(const Tensor& src, const Tensor& src_mask, const Tensor& src_key_padding_mask = Tensor(),
                 bool is_causal = false);
  std::string name() const override { return "TransformerEncoderLayer"; }
  std::string extra_repr() const override;

  /// The settings the layer was made with.
  const TransformerEncoderLayerOptions& options() const { return options_; }

  /// The self-attention, registered as "self_attn".
  std::shared_ptr<MultiheadAttention> self_attn;
  /// The feed-forward block's first layer, d_model to dim_feedforward; registered as "linear1".
  std::shared_ptr<Linear> linear1;
  /// The dropout inside the feed-forward block; registered as "dropout".
  std::shared_ptr<Dropout> dropout;
  /// The feed-forward block's second layer, dim_feedforward to d_model; registered as "linear2".
  std::shared_ptr<Linear> linear2;
  /// The layer norm of the attention block; registered as "norm1".
  std::shared_ptr<LayerNorm> norm1;
  /// The layer norm of the feed-forward block; registered as "norm2".
  std::shared_ptr<LayerNorm> norm2;
  /// The dropout after the attention; registered as "dropout1".
  std::shared_ptr<Dropout> dropout1;
  /// The dropout after the feed-forward block; registered as "dropout2".
  std::shared_ptr<Dropout> dropout2;

 private:
  Tensor attention_block(const Tensor& x, const Tensor& mask, const Tensor& key_padding_mask, bool is_causal);
  Tensor feed_forward_block(const Tensor& x);

  TransformerEncoderLayerOptions options_;
};

}  // namespace ag::nn

#pragma GCC visibility pop
