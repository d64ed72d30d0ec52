// The names example: its word list, encoding, models, loss and sampling.

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "names/names.hpp"
#include "temp_dir.hpp"

#include <cmath>
#include <fstream>
#include <set>
#include <string>
#include <vector>

using Catch::Contains;

namespace {

names::ModelSettings small_settings(names::ModelKind kind) {
  names::ModelSettings settings;
  settings.kind = kind;
  settings.context = 6;
  settings.embedding = 8;
  settings.heads = 2;
  settings.feedforward = 16;
  settings.hidden = 8;
  return settings;
}

}  // namespace

TEST_CASE("read_words keeps the lower-case alphabetic words up to the longest allowed", "[examples][names]") {
  test_support::TempDir dir;
  std::ofstream(dir / "words") << "apple\nBoston\nit's\nzebra\n\nverylongword\ncafé\nox\n";
  CHECK(names::read_words(dir / "words", 6) == std::vector<std::string>{"apple", "zebra", "ox"});
  CHECK_THROWS_WITH(names::read_words(dir / "words", 1), Contains("no lower-case word of at most 1 letters"));
  CHECK_THROWS_WITH(names::read_words(dir / "missing", 6), Contains("cannot read the word list"));
}

TEST_CASE("split_words shuffles by its seed into disjoint parts", "[examples][names]") {
  std::vector<std::string> words;
  for (char c = 'a'; c <= 'z'; ++c) words.push_back(std::string(2, c));
  const auto split = names::split_words(words, 0.25, 3);
  CHECK(split.validation.size() == 6);
  CHECK(split.train.size() == 20);
  std::set<std::string> all(split.train.begin(), split.train.end());
  all.insert(split.validation.begin(), split.validation.end());
  CHECK(all.size() == 26);
  CHECK(names::split_words(words, 0.25, 3).validation == split.validation);
  CHECK(names::split_words(words, 0.25, 4).validation != split.validation);
  CHECK(names::split_words(words, 0.25, 3, 8).train.size() == 6);
}

TEST_CASE("encode puts the boundary token before and after each word, with padding masked", "[examples][names]") {
  const auto batch = names::encode({"xx", "ab", "z"}, 1, 2, 4);
  CHECK(batch.inputs.dtype() == ag::kInt64);
  CHECK(batch.inputs.shape() == ag::Shape{2, 4});
  CHECK(batch.inputs.to_vector() == std::vector<double>{0, 1, 2, 0, 0, 26, 0, 0});
  CHECK(batch.targets.to_vector() == std::vector<double>{1, 2, 0, 0, 26, 0, 0, 0});
  CHECK(batch.mask.to_vector() == std::vector<double>{1, 1, 1, 0, 1, 1, 0, 0});
}

TEST_CASE("both models predict every position from the earlier ones only", "[examples][names]") {
  for (const auto kind : {names::ModelKind::Transformer, names::ModelKind::Gru}) {
    INFO(names::model_name(kind));
    ag::manual_seed(1);
    const auto model = names::make_model(small_settings(kind));
    const ag::Tensor tokens = ag::tensor({{0, 3, 5, 7, 2}}, ag::kInt64);
    const ag::Tensor changed = ag::tensor({{0, 3, 5, 9, 2}}, ag::kInt64);
    const ag::Tensor logits = model->forward(tokens);
    CHECK(logits.shape() == ag::Shape{1, 5, names::kVocabulary});
    const ag::Tensor other = model->forward(changed);
    CHECK(ag::max(ag::abs(logits.slice(1, 0, 3) - other.slice(1, 0, 3))).item() == 0.0);
    CHECK(ag::max(ag::abs(logits.slice(1, 3, 5) - other.slice(1, 3, 5))).item() > 0.0);
  }
}

TEST_CASE("masked_loss is log(27) for uniform predictions and ignores padding", "[examples][names]") {
  const auto batch = names::encode({"ab", "abcd"}, 0, 2, 6);
  const ag::Tensor uniform = ag::zeros({2, 6, names::kVocabulary});
  CHECK(names::masked_loss(uniform, batch).item() == Approx(std::log(27.0)));

  // Confident right answers on the counted positions give a loss near 0, whatever the padding predicts.
  ag::Tensor logits = ag::zeros({2, 6, names::kVocabulary}, ag::kFloat64);
  const std::vector<double> targets = batch.targets.to_vector();
  const std::vector<double> mask = batch.mask.to_vector();
  for (std::int64_t i = 0; i < 12; ++i)
    logits.mutable_data<double>()[i * names::kVocabulary + static_cast<std::int64_t>(targets[i]) +
                                  (mask[i] == 0.0 ? 1 : 0)] = 50.0;
  const names::Batch double_batch{batch.inputs, batch.targets, batch.mask.to(ag::kFloat64)};
  CHECK(names::masked_loss(logits, double_batch).item() < 1e-10);
}

TEST_CASE("a few steps of Adam lower the loss and sampled words are letters", "[examples][names]") {
  for (const auto kind : {names::ModelKind::Transformer, names::ModelKind::Gru}) {
    INFO(names::model_name(kind));
    ag::manual_seed(2);
    const auto settings = small_settings(kind);
    const auto model = names::make_model(settings);
    const std::vector<std::string> words{"abab", "baba", "abba", "aab"};
    const double before = names::evaluate(*model, words, settings.context, 2);
    ag::optim::Adam adam(model->parameters(), ag::optim::AdamOptions().lr(0.03));
    const auto batch = names::encode(words, 0, words.size(), settings.context);
    for (int step = 0; step < 30; ++step) {
      const ag::Tensor loss = names::masked_loss(model->forward(batch.inputs), batch);
      adam.zero_grad();
      loss.backward();
      adam.step();
    }
    CHECK(names::evaluate(*model, words, settings.context, 2) < 0.6 * before);
    for (int i = 0; i < 5; ++i) {
      const std::string word = names::sample_word(*model, settings.context, 0.8);
      CHECK(word.size() < static_cast<std::size_t>(settings.context));
      CHECK(word.find_first_not_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos);
    }
  }
}
