#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Multi-head attention, as torch::nn::MultiheadAttention, with PyTorch's parameter names (in_proj_weight,
/// in_proj_bias, out_proj.weight, out_proj.bias), and the causal mask of torch.nn.Transformer.

#include <autograd/detail/options_arg.hpp>
#include <autograd/dtype.hpp>
#include <nn/linear.hpp>
#include <nn/module.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <tuple>

namespace ag::nn {

/// The additive causal mask of torch.nn.Transformer.generate_square_subsequent_mask: [size, size], 0 on and below
/// the diagonal and -inf above it, so that position i attends to positions 0..i only. Throws ag::Error if size is
/// negative or dtype is not floating point.
Tensor generate_square_subsequent_mask(std::int64_t size, DType dtype = default_dtype());

/// Chainable settings of a MultiheadAttention layer: MultiheadAttentionOptions(64, 4).batch_first(true).
class MultiheadAttentionOptions {
 public:
  /// Settings for embeddings of `embed_dim` features split over `num_heads` heads.
  MultiheadAttentionOptions(std::int64_t embed_dim, std::int64_t num_heads)
      : embed_dim_(embed_dim), num_heads_(num_heads) {}

  /// The number of features of query, key, value and output.
  ///@{
  AG_ARG(std::int64_t, embed_dim);
  ///@}
  /// The number of heads; each attends over embed_dim / num_heads features.
  ///@{
  AG_ARG(std::int64_t, num_heads);
  ///@}
  /// The probability of zeroing an attention weight in training mode (default 0).
  ///@{
  AG_ARG(double, dropout) = 0.0;
  ///@}
  /// Whether the projections have biases, in_proj_bias and out_proj.bias (default true).
  ///@{
  AG_ARG(bool, bias) = true;
  ///@}
  /// Whether query, key, value and output are [batch, seq, embed_dim] rather than [seq, batch, embed_dim]
  /// (default false).
  ///@{
  AG_ARG(bool, batch_first) = false;
  ///@}
  /// The dtype of the parameters. The default is the one set when the options are made (ag::set_default_dtype).
  ///@{
  AG_ARG(DType, dtype) = default_dtype();
  ///@}
};

/// What MultiheadAttention::forward takes besides query, key and value, as PyTorch's keyword arguments:
/// MultiheadAttentionForwardOptions().attn_mask(mask).need_weights(false).
class MultiheadAttentionForwardOptions {
  /// [batch, source length] bool, true where a key is padding to be ignored; undefined for none.
  ///@{
  AG_ARG(Tensor, key_padding_mask);
  ///@}
  /// Whether to return the attention weights as well (default true).
  ///@{
  AG_ARG(bool, need_weights) = true;
  ///@}
  /// [target length, source length] or [batch * num_heads, target length, source length]: bool, true where
  /// attention is not allowed, or floating point, added to the scores; undefined for none.
  ///@{
  AG_ARG(Tensor, attn_mask);
  ///@}
  /// Whether the returned weights are averaged over the heads ([batch, target, source]) rather than given per head
  /// ([batch, num_heads, target, source]) (default true).
  ///@{
  AG_ARG(bool, average_attn_weights) = true;
  ///@}
  /// Whether position i of the query may only attend to key positions 0..i, as with attn_mask =
  /// generate_square_subsequent_mask(length) (default false). Needs query and key of one length; combines with
  /// attn_mask when both are given (PyTorch treats it as a hint that attn_mask is causal instead).
  ///@{
  AG_ARG(bool, is_causal) = false;
  ///@}
};

/// Attention from a query sequence to a key/value sequence in num_heads heads, as torch::nn::MultiheadAttention:
///   Q = query W_qᵀ + b_q,  K = key W_kᵀ + b_k,  V = value W_vᵀ + b_v  (W_q, W_k, W_v: the rows of in_proj_weight)
///   head_h = softmax(Q_h K_hᵀ / sqrt(head_dim) + mask) V_h,  output = out_proj(concat(head_1, ..., head_H)).
/// Self-attention (query, key and value the same tensor) projects all three with one matrix product.
class MultiheadAttention : public Module {
 public:
  /// A layer with the given settings: in_proj_weight Xavier-uniform, out_proj.weight as a Linear's, and both
  /// biases zero, as PyTorch. Throws ag::Error if embed_dim or num_heads is not positive, embed_dim is not
  /// divisible by num_heads, or dropout lies outside [0, 1].
  explicit MultiheadAttention(MultiheadAttentionOptions options);
  /// MultiheadAttention(MultiheadAttentionOptions(embed_dim, num_heads)).
  MultiheadAttention(std::int64_t embed_dim, std::int64_t num_heads)
      : MultiheadAttention(MultiheadAttentionOptions(embed_dim, num_heads)) {}

  /// Attends from `query` ([target, batch, embed_dim], [batch, target, embed_dim] with batch_first, or
  /// [target, embed_dim] unbatched) to `key` and `value` (the same with the source length). Returns the output in
  /// the query's layout and, with need_weights, the attention weights averaged over heads ([batch, target,
  /// source]) or per head; without, an undefined tensor. Rows whose every key is masked give NaN, as in PyTorch.
  /// Throws ag::Error naming the shapes if the inputs are not 2-D or 3-D ending in embed_dim, their batch sizes
  /// differ, key and value differ in length, or a mask does not fit.
  std::tuple<Tensor, Tensor> forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                     const MultiheadAttentionForwardOptions& options = {});
  std::string name() const override { return "MultiheadAttention"; }
  std::string extra_repr() const override;

  /// Draws new values for the parameters, as the constructor.
  void reset_parameters();

  /// The settings the layer was made with.
  const MultiheadAttentionOptions& options() const { return options_; }
  /// The features of each head: embed_dim / num_heads.
  std::int64_t head_dim() const { return options_.embed_dim() / options_.num_heads(); }

  /// The query, key and value projections stacked, [3 * embed_dim, embed_dim]; registered as "in_proj_weight".
  Tensor in_proj_weight;
  /// Their biases, [3 * embed_dim]; registered as "in_proj_bias", undefined without bias.
  Tensor in_proj_bias;
  /// The output projection, registered as "out_proj" (so its parameters are "out_proj.weight", "out_proj.bias").
  std::shared_ptr<Linear> out_proj;

 private:
  MultiheadAttentionOptions options_;
};

}  // namespace ag::nn

#pragma GCC visibility pop
