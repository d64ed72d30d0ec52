// A character-level language model of English words (makemore-style) trained on Debian's word list: a causal
// transformer or a GRU predicts each next letter; the train and validation loss per epoch go to CSV and PNG, and
// the trained model spells new words.

#include <autograd/autograd.hpp>
#include <nn/nn.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "common/args.hpp"
#include "common/plot.hpp"
#include "names/names.hpp"

namespace {

// The flags a resumed run must share with the run it continues, by their names, as numbers.
struct Setting {
  std::string flag;
  double value;
};

struct History {
  std::vector<double> train_loss;
  std::vector<double> validation_loss;
};

ag::Tensor as_tensor(const std::vector<double>& values) {
  return ag::from_vector(values, {static_cast<std::int64_t>(values.size())}, ag::kFloat64);
}

void save_progress(const std::filesystem::path& path, const names::LanguageModel& model,
                   const ag::optim::Optimizer& optimizer, const std::vector<Setting>& settings,
                   const History& history) {
  ag::nn::StateDict extra{{"train_loss", as_tensor(history.train_loss)},
                          {"validation_loss", as_tensor(history.validation_loss)}};
  for (const auto& [flag, value] : settings) extra.emplace_back(flag, ag::scalar(value, ag::kFloat64));
  ag::nn::save_checkpoint(path, model, &optimizer, extra);
}

const ag::Tensor& entry(const ag::nn::StateDict& extra, const std::string& name, const std::filesystem::path& path) {
  for (const auto& [key, tensor] : extra)
    if (key == name) return tensor;
  ag::fail("{}: not a checkpoint of this example (it has no '{}' entry)", path.string(), name);
}

// Loads the checkpoint into `model` and `optimizer` after checking that it was made with `settings`, and returns
// the losses of the epochs it holds.
History resume_progress(const std::filesystem::path& path, names::LanguageModel& model, ag::optim::Optimizer& optimizer,
                        const std::vector<Setting>& settings) {
  ag::nn::StateDict extra;
  for (const auto& [name, tensor] : ag::nn::load(path))
    if (name.starts_with("extra.")) extra.emplace_back(name.substr(6), tensor);
  for (const auto& [flag, value] : settings) {
    const ag::Tensor& saved = entry(extra, flag, path);
    if (saved.numel() != 1 || saved.item() != value)
      ag::fail("{}: the checkpoint was trained with --{} {}, but this run has --{} {}; resume with the same value",
               path.string(), flag, saved.numel() == 1 ? saved.item() : 0.0, flag, value);
  }
  History history{entry(extra, "train_loss", path).to_vector(), entry(extra, "validation_loss", path).to_vector()};
  if (history.train_loss.empty() || history.train_loss.size() != history.validation_loss.size())
    ag::fail("{}: the checkpoint's loss histories are empty or of different lengths", path.string());
  ag::nn::load_checkpoint(path, model, &optimizer);
  return history;
}

void write_results(const History& history, const std::string& title, const std::filesystem::path& out) {
  std::vector<double> epochs(history.train_loss.size());
  std::iota(epochs.begin(), epochs.end(), 1.0);
  const examples::Series train{"train loss", epochs, history.train_loss};
  const examples::Series validation{"validation loss", epochs, history.validation_loss};
  examples::write_csv(
      out / "loss.csv", "epoch",
      {{"train_loss", epochs, history.train_loss}, {"validation_loss", epochs, history.validation_loss}});
  const bool drawn =
      examples::plot_png(out / "loss.png", {title, "Epoch", "Cross-entropy (nats per character)"}, {train, validation});
  fmt::print("wrote {}{}\n", (out / "loss.csv").string(), drawn ? " and " + (out / "loss.png").string() : "");
}

int names_main(int argc, char** argv) {
  examples::Args args("names",
                      "A character-level language model of English words (makemore-style): a causal transformer or "
                      "a GRU, trained with Adam to predict each next letter, then sampled for new words.");
  args.flag("model", "transformer", "transformer or gru")
      .flag("epochs", "4", "passes over the training words")
      .flag("batch-size", "64", "words per optimiser step")
      .flag("learning-rate", "0.002", "Adam learning rate")
      .flag("context", "16", "positions the model sees; words of up to context - 1 letters are used")
      .flag("embedding", "64", "embedding width (the transformer's d_model)")
      .flag("layers", "2", "transformer encoder layers or GRU layers")
      .flag("heads", "4", "attention heads of the transformer")
      .flag("feedforward", "256", "width of the transformer's feed-forward blocks")
      .flag("hidden", "128", "GRU state size")
      .flag("dropout", "0", "transformer dropout probability")
      .flag("validation", "0.1", "fraction of the words held out for the validation loss")
      .flag("limit", "0", "use only the first N words after shuffling (0: all)")
      .flag("seed", "1", "seed for the split, the initial weights, the shuffling, dropout and sampling")
      .flag("threads", "1", "threads for the matrix products (the matrices are small: one is fastest)")
      .flag("samples", "20", "new words to sample after training")
      .flag("temperature", "1.0", "sampling temperature: below 1 likelier letters, above 1 more surprising ones")
      .flag("words", "/usr/share/dict/words", "word list, one a line (Debian's wamerican)")
      .flag("out", "out/names", "folder for loss.csv and loss.png")
      .flag("checkpoint", "", "file to save the model and optimiser to after every epoch")
      .toggle("resume", "continue the run saved in --checkpoint from its last epoch");
  if (!args.parse(argc, argv)) return 0;

  const auto kind = names::parse_model(args.text("model"));
  if (!kind)
    throw examples::UsageError(fmt::format("--model expects transformer or gru, got '{}'", args.text("model")));
  names::ModelSettings model_settings;
  model_settings.kind = *kind;
  model_settings.context = args.integer("context", 2);
  model_settings.embedding = args.integer("embedding", 1);
  model_settings.layers = args.integer("layers", 1);
  model_settings.heads = args.integer("heads", 1);
  model_settings.feedforward = args.integer("feedforward", 1);
  model_settings.hidden = args.integer("hidden", 1);
  model_settings.dropout = args.real("dropout");
  if (model_settings.embedding % model_settings.heads != 0)
    throw examples::UsageError(
        fmt::format("--embedding {} must be divisible by --heads {}", model_settings.embedding, model_settings.heads));
  if (!(model_settings.dropout >= 0.0 && model_settings.dropout < 1.0))
    throw examples::UsageError(
        fmt::format("--dropout expects a probability in [0, 1), got {}", model_settings.dropout));
  const std::int64_t epochs = args.integer("epochs", 0);
  const std::int64_t batch_size = args.integer("batch-size", 1);
  const double learning_rate = args.real("learning-rate");
  if (!(learning_rate > 0.0))
    throw examples::UsageError(fmt::format("--learning-rate expects a positive number, got {}", learning_rate));
  const double validation_fraction = args.real("validation");
  if (!(validation_fraction > 0.0 && validation_fraction < 1.0))
    throw examples::UsageError(
        fmt::format("--validation expects a fraction between 0 and 1, got {}", validation_fraction));
  const double temperature = args.real("temperature");
  if (!(temperature > 0.0))
    throw examples::UsageError(fmt::format("--temperature expects a positive number, got {}", temperature));
  const std::int64_t limit = args.integer("limit", 0);
  const auto seed = static_cast<std::uint64_t>(args.integer("seed"));
  const std::int64_t samples = args.integer("samples", 0);
  const std::filesystem::path out = args.text("out");
  const std::filesystem::path checkpoint = args.text("checkpoint");
  if (args.enabled("resume") && checkpoint.empty())
    throw examples::UsageError("--resume needs --checkpoint FILE, the checkpoint to continue from");
  if (checkpoint.has_parent_path()) std::filesystem::create_directories(checkpoint.parent_path());
  std::filesystem::create_directories(out);
  const std::vector<Setting> settings{{"model", static_cast<double>(model_settings.kind)},
                                      {"context", static_cast<double>(model_settings.context)},
                                      {"embedding", static_cast<double>(model_settings.embedding)},
                                      {"layers", static_cast<double>(model_settings.layers)},
                                      {"heads", static_cast<double>(model_settings.heads)},
                                      {"feedforward", static_cast<double>(model_settings.feedforward)},
                                      {"hidden", static_cast<double>(model_settings.hidden)},
                                      {"dropout", model_settings.dropout},
                                      {"batch-size", static_cast<double>(batch_size)},
                                      {"learning-rate", learning_rate},
                                      {"validation", validation_fraction},
                                      {"limit", static_cast<double>(limit)},
                                      {"seed", static_cast<double>(seed)}};

  ag::set_num_threads(static_cast<int>(args.integer("threads", 1)));
  std::vector<std::string> words = names::read_words(args.text("words"), model_settings.context - 1);
  const names::WordSplit split = names::split_words(std::move(words), validation_fraction, seed, limit);
  if (split.train.empty() || split.validation.empty())
    throw examples::UsageError("the training or validation split is empty; raise --limit or change --validation");
  fmt::print("{} training and {} validation words of at most {} letters from {}\n", split.train.size(),
             split.validation.size(), model_settings.context - 1, args.text("words"));
  // The split, for examples/names/names_torch.py --split to train PyTorch on the same words.
  examples::write_text(out / "train_words.txt", fmt::format("{}\n", fmt::join(split.train, "\n")));
  examples::write_text(out / "validation_words.txt", fmt::format("{}\n", fmt::join(split.validation, "\n")));

  ag::manual_seed(seed);
  const auto model = names::make_model(model_settings);
  fmt::print("{}\n", model->summary());
  ag::optim::Adam optimizer(model->parameters(), ag::optim::AdamOptions().lr(learning_rate));
  History history;
  if (args.enabled("resume")) {
    history = resume_progress(checkpoint, *model, optimizer, settings);
    fmt::print("resumed from {} after epoch {}\n", checkpoint.string(), history.train_loss.size());
  }

  const std::string title = fmt::format("names, {}", names::model_name(model_settings.kind));
  std::vector<std::size_t> order(split.train.size());
  for (auto epoch = static_cast<std::int64_t>(history.train_loss.size()) + 1; epoch <= epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    // Shuffling and dropout are seeded per epoch, so a resumed run repeats an uninterrupted one exactly.
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::shuffle(order.begin(), order.end(), std::mt19937_64(seed * 1000003 + static_cast<std::uint64_t>(epoch)));
    ag::manual_seed(seed * 1000003 + static_cast<std::uint64_t>(epoch));
    std::vector<std::string> shuffled;
    shuffled.reserve(order.size());
    for (const std::size_t i : order) shuffled.push_back(split.train[i]);

    model->train();
    double loss_sum = 0.0;
    double positions = 0.0;
    for (std::size_t first = 0; first < shuffled.size(); first += static_cast<std::size_t>(batch_size)) {
      const std::size_t count = std::min(static_cast<std::size_t>(batch_size), shuffled.size() - first);
      const names::Batch batch = names::encode(shuffled, first, count, model_settings.context);
      const ag::Tensor loss = names::masked_loss(model->forward(batch.inputs), batch);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      const double counted = ag::sum(batch.mask).item();
      loss_sum += loss.item() * counted;
      positions += counted;
    }
    history.train_loss.push_back(loss_sum / positions);
    history.validation_loss.push_back(names::evaluate(*model, split.validation, model_settings.context, 512));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fmt::print("epoch {}/{}: train loss {:.4f}, validation loss {:.4f} | {:.1f} s\n", epoch, epochs,
               history.train_loss.back(), history.validation_loss.back(), seconds);
    std::fflush(stdout);
    if (!checkpoint.empty()) save_progress(checkpoint, *model, optimizer, settings, history);
  }
  if (!history.train_loss.empty()) write_results(history, title, out);

  ag::manual_seed(seed);
  model->eval();
  const std::vector<std::string> known = [&] {
    std::vector<std::string> all = split.train;
    std::sort(all.begin(), all.end());
    return all;
  }();
  std::int64_t novel = 0;
  if (samples > 0) fmt::print("{} words sampled at temperature {}:\n", samples, temperature);
  for (std::int64_t i = 0; i < samples; ++i) {
    const std::string word = names::sample_word(*model, model_settings.context, temperature);
    const bool seen = std::binary_search(known.begin(), known.end(), word);
    novel += seen ? 0 : 1;
    fmt::print("  {}{}\n", word, seen ? "  (in the training words)" : "");
  }
  if (samples > 0) fmt::print("{} of {} are not in the training words\n", novel, samples);
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return examples::run_example(names_main, argc, argv); }
