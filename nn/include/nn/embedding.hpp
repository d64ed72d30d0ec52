#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// A lookup table of vectors as a module (Embedding) and as a function (functional::embedding); the op is
/// ag::embedding.

#include <autograd/detail/options_arg.hpp>
#include <autograd/dtype.hpp>
#include <nn/module.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace ag::nn {

/// Chainable settings of an Embedding layer: EmbeddingOptions(1000, 64).padding_idx(0).
class EmbeddingOptions {
 public:
  /// Settings for a table of `num_embeddings` vectors of size `embedding_dim`.
  EmbeddingOptions(std::int64_t num_embeddings, std::int64_t embedding_dim)
      : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {}

  /// The number of vectors in the table (the size of the vocabulary).
  ///@{
  AG_ARG(std::int64_t, num_embeddings);
  ///@}
  /// The size of each vector.
  ///@{
  AG_ARG(std::int64_t, embedding_dim);
  ///@}
  /// An index whose vector starts at zero and gets no gradient, so it stays as it is during training (default none);
  /// negative counts from the end, as in PyTorch.
  ///@{
  AG_ARG(std::optional<std::int64_t>, padding_idx);
  ///@}
  /// The dtype of the weight (default: ag::default_dtype() when the options are made).
  ///@{
  AG_ARG(DType, dtype) = default_dtype();
  ///@}
};

/// A table of num_embeddings vectors of size embedding_dim, looked up by int64 indices of any shape, as
/// torch::nn::Embedding: the output has shape indices.shape + [embedding_dim].
class Embedding : public UnaryModule {
 public:
  /// A table drawn from N(0, 1), with the padding_idx row (if any) zeroed, as PyTorch.
  /// Throws ag::Error if a size is not positive or padding_idx lies outside [-num_embeddings, num_embeddings).
  explicit Embedding(EmbeddingOptions options);
  /// Embedding(EmbeddingOptions(num_embeddings, embedding_dim)).
  Embedding(std::int64_t num_embeddings, std::int64_t embedding_dim)
      : Embedding(EmbeddingOptions(num_embeddings, embedding_dim)) {}

  /// The rows of the weight picked by `indices`, as functional::embedding. Gradient: each index adds its row of
  /// grad to its row of the weight, except padding_idx. Throws ag::Error if indices is not int64 or an index lies
  /// outside [0, num_embeddings).
  Tensor forward(const Tensor& indices) override;
  std::string name() const override { return "Embedding"; }
  std::string extra_repr() const override;

  /// Draws the weight anew from N(0, 1) and zeroes the padding_idx row.
  void reset_parameters();

  /// The settings the layer was made with; padding_idx is stored as given (it may be negative).
  const EmbeddingOptions& options() const { return options_; }

  /// The table, [num_embeddings, embedding_dim]; registered as "weight".
  Tensor weight;

 private:
  EmbeddingOptions options_;
  std::optional<std::int64_t> padding_idx_;  // counted from the start
};

namespace functional {

/// The rows of `weight` [num_embeddings, dim] picked by int64 `indices`, as torch.nn.functional.embedding and
/// ag::embedding; padding_idx's row gets no gradient. Throws ag::Error as ag::embedding.
Tensor embedding(const Tensor& indices, const Tensor& weight, std::optional<std::int64_t> padding_idx = std::nullopt);

}  // namespace functional
}  // namespace ag::nn

#pragma GCC visibility pop
