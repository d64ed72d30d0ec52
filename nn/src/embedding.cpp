#include <nn/embedding.hpp>

#include <autograd/creation.hpp>
#include <autograd/grad_mode.hpp>
#include <autograd/ops/indexing.hpp>
#include <nn/init.hpp>

#include <fmt/format.h>

namespace ag::nn {

Tensor functional::embedding(const Tensor& indices, const Tensor& weight, std::optional<std::int64_t> padding_idx) {
  return ag::embedding(indices, weight, padding_idx);
}

Embedding::Embedding(EmbeddingOptions options) : options_(options) {
  const std::int64_t count = options.num_embeddings();
  if (count <= 0 || options.embedding_dim() <= 0)
    fail("Embedding: num_embeddings ({}) and embedding_dim ({}) must be positive", count, options.embedding_dim());
  if (options.padding_idx()) {
    const std::int64_t index = *options.padding_idx();
    if (index < -count || index >= count)
      fail("Embedding: padding_idx = {} is outside [-{}, {}) (num_embeddings = {})", index, count, count, count);
    padding_idx_ = index < 0 ? index + count : index;
  }
  weight = register_parameter("weight", empty({count, options.embedding_dim()}, options.dtype()));
  reset_parameters();
}

void Embedding::reset_parameters() {
  init::normal_(weight);
  if (!padding_idx_) return;
  NoGradGuard no_grad;
  weight[*padding_idx_].zero_();
}

Tensor Embedding::forward(const Tensor& indices) { return functional::embedding(indices, weight, padding_idx_); }

std::string Embedding::extra_repr() const {
  std::string repr = fmt::format("{}, {}", options_.num_embeddings(), options_.embedding_dim());
  if (padding_idx_) repr += fmt::format(", padding_idx={}", *padding_idx_);
  return repr;
}

}  // namespace ag::nn
