#include <nn/attention.hpp>
#include <nn/init.hpp>

#include <autograd/creation.hpp>
#include <autograd/error.hpp>
#include <autograd/ops/arithmetic.hpp>
#include <autograd/ops/comparison.hpp>
#include <autograd/ops/dropout.hpp>
#include <autograd/ops/indexing.hpp>
#include <autograd/ops/linalg.hpp>
#include <autograd/ops/reduction.hpp>
#include <autograd/ops/shape_ops.hpp>
#include <autograd/ops/softmax.hpp>

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace ag::nn {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// True above the diagonal of a [target, source] grid: the keys after each query position.
Tensor future_positions(std::int64_t target, std::int64_t source) {
  const Tensor rows = reshape(arange(static_cast<double>(target), kFloat64), {target, 1});
  const Tensor columns = arange(static_cast<double>(source), kFloat64);
  return gt(columns, rows);
}

// scores [batch, heads, target, source] with `mask` (called `what` in errors) applied: a bool mask sets -inf where
// it holds, a float mask is added.
Tensor apply_mask(const Tensor& scores, const Tensor& mask, const char* what) {
  if (mask.dtype() == kBool) return masked_fill(scores, mask, -kInfinity);
  if (mask.dtype() != scores.dtype())
    fail("MultiheadAttention: {} of dtype {} must be bool or of the parameters' dtype {}", what,
         dtype_name(mask.dtype()), dtype_name(scores.dtype()));
  return scores + mask;
}

}  // namespace

Tensor generate_square_subsequent_mask(std::int64_t size, DType dtype) {
  if (size < 0) fail("generate_square_subsequent_mask: size {} must not be negative", size);
  if (!is_floating_point(dtype))
    fail("generate_square_subsequent_mask: dtype {} is not floating point", dtype_name(dtype));
  return masked_fill(zeros({size, size}, dtype), future_positions(size, size), -kInfinity);
}

MultiheadAttention::MultiheadAttention(MultiheadAttentionOptions options) : options_(options) {
  const std::int64_t embed_dim = options.embed_dim();
  const std::int64_t heads = options.num_heads();
  if (embed_dim <= 0 || heads <= 0)
    fail("MultiheadAttention: embed_dim ({}) and num_heads ({}) must be positive", embed_dim, heads);
  if (embed_dim % heads != 0)
    fail("MultiheadAttention: embed_dim ({}) must be divisible by num_heads ({})", embed_dim, heads);
  if (!(options.dropout() >= 0.0 && options.dropout() <= 1.0))
    fail("MultiheadAttention: dropout {} lies outside [0, 1]", options.dropout());
  in_proj_weight = register_parameter("in_proj_weight", empty({3 * embed_dim, embed_dim}, options.dtype()));
  if (options.bias()) in_proj_bias = register_parameter("in_proj_bias", empty({3 * embed_dim}, options.dtype()));
  out_proj = register_module(
      "out_proj",
      std::make_shared<Linear>(embed_dim, embed_dim, LinearOptions().bias(options.bias()).dtype(options.dtype())));
  reset_parameters();
}

void MultiheadAttention::reset_parameters() {
  init::xavier_uniform_(in_proj_weight);
  out_proj->reset_parameters();
  if (in_proj_bias.defined()) init::zeros_(in_proj_bias);
  if (out_proj->bias.defined()) init::zeros_(out_proj->bias);
}

std::string MultiheadAttention::extra_repr() const {
  return fmt::format("embed_dim={}, num_heads={}, dropout={}, bias={}, batch_first={}", options_.embed_dim(),
                     options_.num_heads(), options_.dropout(), options_.bias(), options_.batch_first());
}

std::tuple<Tensor, Tensor> MultiheadAttention::forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                                       const MultiheadAttentionForwardOptions& options) {
  const std::int64_t embed_dim = options_.embed_dim();
  const std::int64_t heads = options_.num_heads();
  const char* layout = options_.batch_first() ? "batch, seq" : "seq, batch";
  for (const auto& [what, input] : {std::pair{"query", query}, std::pair{"key", key}, std::pair{"value", value}}) {
    if ((input.dim() != 2 && input.dim() != 3) || input.shape().back() != embed_dim)
      fail("MultiheadAttention: {} of shape {} does not fit embed_dim = {} (expected [{}, {}], or [seq, {}] unbatched)",
           what, input.shape(), embed_dim, layout, embed_dim, embed_dim);
    if (input.dtype() != in_proj_weight.dtype())
      fail("MultiheadAttention: {} of dtype {} differs from the parameters' dtype {}", what, dtype_name(input.dtype()),
           dtype_name(in_proj_weight.dtype()));
  }
  if (key.dim() != query.dim() || value.dim() != query.dim())
    fail("MultiheadAttention: query {}, key {} and value {} must all be batched (3-D) or all unbatched (2-D)",
         query.shape(), key.shape(), value.shape());

  // Everything below works on [batch, seq, embed_dim].
  const bool unbatched = query.dim() == 2;
  const auto batch_first = [&](const Tensor& x) {
    if (unbatched) return unsqueeze(x, 0);
    return options_.batch_first() ? x : transpose(x, 0, 1);
  };
  const Tensor q_in = batch_first(query);
  const Tensor k_in = batch_first(key);
  const Tensor v_in = batch_first(value);
  const std::int64_t batch = q_in.size(0);
  const std::int64_t target = q_in.size(1);
  const std::int64_t source = k_in.size(1);
  if (k_in.size(0) != batch || v_in.size(0) != batch || v_in.size(1) != source)
    fail(
        "MultiheadAttention: query {}, key {} and value {} must share the batch size, and key and value the "
        "sequence length",
        query.shape(), key.shape(), value.shape());

  // Self-attention projects once with the whole of in_proj_weight; otherwise each input with its third of the rows
  // (0 query, 1 key, 2 value).
  Tensor q;
  Tensor k;
  Tensor v;
  const auto projection = [&](const Tensor& x, std::int64_t part) {
    return linear(x, narrow(in_proj_weight, 0, part * embed_dim, embed_dim),
                  in_proj_bias.defined() ? narrow(in_proj_bias, 0, part * embed_dim, embed_dim) : Tensor());
  };
  if (query.is_same(key) && key.is_same(value)) {
    const Tensor qkv = linear(q_in, in_proj_weight, in_proj_bias);
    q = narrow(qkv, 2, 0, embed_dim);
    k = narrow(qkv, 2, embed_dim, embed_dim);
    v = narrow(qkv, 2, 2 * embed_dim, embed_dim);
  } else {
    q = projection(q_in, 0);
    k = projection(k_in, 1);
    v = projection(v_in, 2);
  }
  const std::int64_t head_dim = this->head_dim();
  const auto split_heads = [&](const Tensor& x, std::int64_t length) {
    return transpose(reshape(x, {batch, length, heads, head_dim}), 1, 2);  // [batch, heads, length, head_dim]
  };
  q = split_heads(q, target) * (1.0 / std::sqrt(static_cast<double>(head_dim)));
  k = split_heads(k, source);
  v = split_heads(v, source);
  Tensor scores = matmul(q, transpose(k, 2, 3));  // [batch, heads, target, source]

  if (const Tensor& mask = options.attn_mask(); mask.defined()) {
    if (mask.dim() == 2 && mask.shape() == Shape{target, source}) {
      scores = apply_mask(scores, mask, "attn_mask");
    } else if (mask.dim() == 3 && mask.shape() == Shape{batch * heads, target, source}) {
      scores = apply_mask(scores, reshape(mask, {batch, heads, target, source}), "attn_mask");
    } else {
      fail(
          "MultiheadAttention: attn_mask of shape {} does not fit query {} and key {} (expected [{}, {}] or "
          "[batch * num_heads = {}, {}, {}])",
          mask.shape(), query.shape(), key.shape(), target, source, batch * heads, target, source);
    }
  }
  if (options.is_causal()) {
    if (target != source)
      fail("MultiheadAttention: is_causal needs query and key of one length, got query {} and key {}", query.shape(),
           key.shape());
    scores = masked_fill(scores, future_positions(target, source), -kInfinity);
  }
  if (const Tensor& mask = options.key_padding_mask(); mask.defined()) {
    const Shape expected = unbatched ? Shape{source} : Shape{batch, source};
    if (mask.shape() != expected)
      fail("MultiheadAttention: key_padding_mask of shape {} does not fit key {} (expected {})", mask.shape(),
           key.shape(), expected);
    scores = apply_mask(scores, reshape(mask, {batch, 1, 1, source}), "key_padding_mask");
  }

  Tensor weights = softmax(scores, -1);
  if (is_training() && options_.dropout() > 0.0) weights = ag::dropout(weights, options_.dropout(), true);
  const Tensor heads_out = reshape(transpose(matmul(weights, v), 1, 2), {batch, target, embed_dim});
  Tensor output = out_proj->forward(heads_out);
  output = unbatched ? squeeze(output, 0) : (options_.batch_first() ? output : transpose(output, 0, 1));

  if (!options.need_weights()) return {output, Tensor()};
  if (options.average_attn_weights()) weights = mean(weights, 1);
  return {output, unbatched ? squeeze(weights, 0) : weights};
}

}  // namespace ag::nn
