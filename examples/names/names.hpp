#pragma once

// A character-level language model of English words (makemore-style): the word list, its encoding as tokens, the
// two models (a causal transformer and a GRU), their loss, and sampling of new words. main.cpp trains them.

#include <nn/embedding.hpp>
#include <nn/nn.hpp>
#include <nn/normalization.hpp>
#include <nn/rnn.hpp>
#include <nn/transformer.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace names {

// Token 0 marks the start and the end of a word; 1..26 are the letters a..z.
inline constexpr std::int64_t kVocabulary = 27;

// The lower-case alphabetic words of `path` (one a line, as /usr/share/dict/words) of at most `max_length`
// letters, in file order; other lines (capitals, apostrophes, accents, longer words) are skipped. Throws
// std::runtime_error naming the file if it cannot be read or holds no such word.
std::vector<std::string> read_words(const std::filesystem::path& path, std::int64_t max_length);

struct WordSplit {
  std::vector<std::string> train;
  std::vector<std::string> validation;
};

// The words shuffled by `seed`, the first `limit` of them kept (all for 0), and of those the first
// `validation_fraction` for validation and the rest for training.
WordSplit split_words(std::vector<std::string> words, double validation_fraction, std::uint64_t seed,
                      std::int64_t limit = 0);

// Words encoded for next-token prediction over `context` positions: inputs are [0, letters..., 0 padding] and
// targets [letters..., 0, padding], both int64 [words, context]; mask is 1 where a target counts and 0 on padding.
struct Batch {
  ag::Tensor inputs;
  ag::Tensor targets;
  ag::Tensor mask;
};

// Encodes words[first..first + count). Each word must have fewer than `context` letters.
Batch encode(const std::vector<std::string>& words, std::size_t first, std::size_t count, std::int64_t context);

enum class ModelKind { Transformer, Gru };

// "transformer" or "gru", or nothing for another name.
std::optional<ModelKind> parse_model(const std::string& name);
const char* model_name(ModelKind kind);

struct ModelSettings {
  ModelKind kind = ModelKind::Transformer;
  std::int64_t context = 16;       // positions the model sees: the longest word has context - 1 letters
  std::int64_t embedding = 64;     // width of the token (and position) embeddings and of the transformer
  std::int64_t layers = 2;         // transformer encoder layers, or stacked GRU layers
  std::int64_t heads = 4;          // attention heads (transformer)
  std::int64_t feedforward = 256;  // width of each transformer layer's feed-forward block
  std::int64_t hidden = 128;       // GRU state size
  double dropout = 0.0;            // transformer dropout
};

// Maps tokens [batch, length] (length <= context) to next-token logits [batch, length, kVocabulary], where
// position t sees tokens 0..t only.
class LanguageModel : public ag::nn::Module {
 public:
  virtual ag::Tensor forward(const ag::Tensor& tokens) = 0;
};

// Token and position embeddings, pre-norm causal transformer encoder layers (gelu), a final layer norm and a
// linear head: the GPT layout of makemore's Transformer.
class TransformerModel : public LanguageModel {
 public:
  explicit TransformerModel(const ModelSettings& settings);
  ag::Tensor forward(const ag::Tensor& tokens) override;
  std::string name() const override { return "TransformerModel"; }

 private:
  std::shared_ptr<ag::nn::Embedding> token_embedding_;
  std::shared_ptr<ag::nn::Embedding> position_embedding_;
  std::vector<std::shared_ptr<ag::nn::TransformerEncoderLayer>> layers_;
  std::shared_ptr<ag::nn::LayerNorm> norm_;
  std::shared_ptr<ag::nn::Linear> head_;
};

// A token embedding, a GRU over the sequence and a linear head on its output at every step.
class GruModel : public LanguageModel {
 public:
  explicit GruModel(const ModelSettings& settings);
  ag::Tensor forward(const ag::Tensor& tokens) override;
  std::string name() const override { return "GruModel"; }

 private:
  std::shared_ptr<ag::nn::Embedding> embedding_;
  std::shared_ptr<ag::nn::GRU> gru_;
  std::shared_ptr<ag::nn::Linear> head_;
};

std::unique_ptr<LanguageModel> make_model(const ModelSettings& settings);

// The mean cross-entropy (nats per character, the end of the word included) of the model's logits against the
// batch's targets, padding left out.
ag::Tensor masked_loss(const ag::Tensor& logits, const Batch& batch);

// The mean loss over all of `words`, in evaluation mode and without a graph, in batches of `batch_size`.
double evaluate(LanguageModel& model, const std::vector<std::string>& words, std::int64_t context,
                std::int64_t batch_size);

// A new word drawn letter by letter from the model's predictions, their logits divided by `temperature` (lower:
// likelier letters), from the global generator; at most context - 1 letters.
std::string sample_word(LanguageModel& model, std::int64_t context, double temperature);

}  // namespace names
