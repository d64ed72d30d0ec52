#include "names/names.hpp"

#include <autograd/autograd.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <stdexcept>

namespace names {

std::vector<std::string> read_words(const std::filesystem::path& path, std::int64_t max_length) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error(
        fmt::format("cannot read the word list {} (Debian's wamerican package installs "
                    "/usr/share/dict/words)",
                    path.string()));
  std::vector<std::string> words;
  std::string line;
  while (std::getline(in, line)) {
    const bool lower_case =
        !line.empty() && std::all_of(line.begin(), line.end(), [](char c) { return c >= 'a' && c <= 'z'; });
    if (lower_case && static_cast<std::int64_t>(line.size()) <= max_length) words.push_back(line);
  }
  if (words.empty())
    throw std::runtime_error(
        fmt::format("{} holds no lower-case word of at most {} letters", path.string(), max_length));
  return words;
}

WordSplit split_words(std::vector<std::string> words, double validation_fraction, std::uint64_t seed,
                      std::int64_t limit) {
  std::mt19937_64 generator(seed);
  std::shuffle(words.begin(), words.end(), generator);
  if (limit > 0 && static_cast<std::size_t>(limit) < words.size()) words.resize(static_cast<std::size_t>(limit));
  const auto validation = static_cast<std::size_t>(validation_fraction * static_cast<double>(words.size()));
  WordSplit split;
  split.validation.assign(words.begin(), words.begin() + static_cast<std::ptrdiff_t>(validation));
  split.train.assign(words.begin() + static_cast<std::ptrdiff_t>(validation), words.end());
  return split;
}

Batch encode(const std::vector<std::string>& words, std::size_t first, std::size_t count, std::int64_t context) {
  const auto n = static_cast<std::int64_t>(count);
  std::vector<double> inputs(static_cast<std::size_t>(n * context), 0.0);
  std::vector<double> targets(inputs.size(), 0.0);
  std::vector<double> mask(inputs.size(), 0.0);
  for (std::int64_t i = 0; i < n; ++i) {
    const std::string& word = words[first + static_cast<std::size_t>(i)];
    const auto row = static_cast<std::size_t>(i * context);
    for (std::size_t t = 0; t <= word.size(); ++t) {
      const double letter = t < word.size() ? word[t] - 'a' + 1 : 0;
      if (t + 1 < static_cast<std::size_t>(context)) inputs[row + t + 1] = letter;
      targets[row + t] = letter;
      mask[row + t] = 1.0;
    }
  }
  const ag::Shape shape{n, context};
  return {ag::from_vector(inputs, shape, ag::kInt64), ag::from_vector(targets, shape, ag::kInt64),
          ag::from_vector(mask, shape)};
}

std::optional<ModelKind> parse_model(const std::string& name) {
  if (name == "transformer") return ModelKind::Transformer;
  if (name == "gru") return ModelKind::Gru;
  return std::nullopt;
}

const char* model_name(ModelKind kind) {
  switch (kind) {
    case ModelKind::Transformer:
      return "transformer";
    case ModelKind::Gru:
      return "gru";
  }
  return "";
}

TransformerModel::TransformerModel(const ModelSettings& settings) {
  token_embedding_ =
      register_module("token_embedding", std::make_shared<ag::nn::Embedding>(kVocabulary, settings.embedding));
  position_embedding_ =
      register_module("position_embedding", std::make_shared<ag::nn::Embedding>(settings.context, settings.embedding));
  for (std::int64_t i = 0; i < settings.layers; ++i) {
    const auto options = ag::nn::TransformerEncoderLayerOptions(settings.embedding, settings.heads)
                             .dim_feedforward(settings.feedforward)
                             .dropout(settings.dropout)
                             .activation("gelu")
                             .batch_first(true)
                             .norm_first(true);
    layers_.push_back(
        register_module(fmt::format("layer{}", i), std::make_shared<ag::nn::TransformerEncoderLayer>(options)));
  }
  norm_ = register_module("norm", std::make_shared<ag::nn::LayerNorm>(ag::nn::LayerNormOptions({settings.embedding})));
  head_ = register_module("head", std::make_shared<ag::nn::Linear>(settings.embedding, kVocabulary));
}

ag::Tensor TransformerModel::forward(const ag::Tensor& tokens) {
  const std::int64_t length = tokens.size(1);
  const ag::Tensor positions = ag::arange(static_cast<double>(length), ag::kInt64);
  ag::Tensor x = token_embedding_->forward(tokens) + position_embedding_->forward(positions);
  for (const auto& layer : layers_) x = layer->forward(x, ag::Tensor(), ag::Tensor(), true);
  return head_->forward(norm_->forward(x));
}

GruModel::GruModel(const ModelSettings& settings) {
  embedding_ = register_module("embedding", std::make_shared<ag::nn::Embedding>(kVocabulary, settings.embedding));
  gru_ = register_module(
      "gru",
      std::make_shared<ag::nn::GRU>(
          ag::nn::GRUOptions(settings.embedding, settings.hidden).num_layers(settings.layers).batch_first(true)));
  head_ = register_module("head", std::make_shared<ag::nn::Linear>(settings.hidden, kVocabulary));
}

ag::Tensor GruModel::forward(const ag::Tensor& tokens) {
  const auto [output, state] = gru_->forward(embedding_->forward(tokens));
  return head_->forward(output);
}

std::unique_ptr<LanguageModel> make_model(const ModelSettings& settings) {
  switch (settings.kind) {
    case ModelKind::Transformer:
      return std::make_unique<TransformerModel>(settings);
    case ModelKind::Gru:
      return std::make_unique<GruModel>(settings);
  }
  return nullptr;
}

ag::Tensor masked_loss(const ag::Tensor& logits, const Batch& batch) {
  const ag::Tensor per_position = ag::nn::functional::cross_entropy(logits.reshape({-1, kVocabulary}),
                                                                    batch.targets.flatten(), ag::nn::Reduction::None);
  return ag::sum(per_position * batch.mask.flatten()) / ag::sum(batch.mask);
}

double evaluate(LanguageModel& model, const std::vector<std::string>& words, std::int64_t context,
                std::int64_t batch_size) {
  ag::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  double total = 0.0;
  double positions = 0.0;
  for (std::size_t first = 0; first < words.size(); first += static_cast<std::size_t>(batch_size)) {
    const std::size_t count = std::min(static_cast<std::size_t>(batch_size), words.size() - first);
    const Batch batch = encode(words, first, count, context);
    const double counted = ag::sum(batch.mask).item();
    total += masked_loss(model.forward(batch.inputs), batch).item() * counted;
    positions += counted;
  }
  model.train(was_training);
  return total / positions;
}

std::string sample_word(LanguageModel& model, std::int64_t context, double temperature) {
  ag::NoGradGuard no_grad;
  std::vector<double> tokens{0.0};
  std::string word;
  while (static_cast<std::int64_t>(word.size()) < context - 1) {
    const auto length = static_cast<std::int64_t>(tokens.size());
    const ag::Tensor logits = model.forward(ag::from_vector(tokens, {1, length}, ag::kInt64));
    const std::vector<double> probabilities =
        ag::softmax(logits[0][length - 1] / temperature, 0).to(ag::kFloat64).to_vector();
    double draw = ag::uniform();
    std::size_t letter = 0;
    while (letter + 1 < probabilities.size() && draw >= probabilities[letter]) draw -= probabilities[letter++];
    if (letter == 0) break;
    word += static_cast<char>('a' + letter - 1);
    tokens.push_back(static_cast<double>(letter));
  }
  return word;
}

}  // namespace names
