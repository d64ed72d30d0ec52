// Fashion-MNIST with an MLP 784-256-128-10 (SGD with momentum) or a CNN (Adam), the test accuracy after every epoch,
// and the loss and accuracy curves as CSV and PNG. Parameters can come from, and go to, safetensors files with
// PyTorch's names, so a model trained in PyTorch can be evaluated here (--weights FILE --epochs 0).

#include <nn/fashion_mnist.hpp>
#include <nn/safetensors.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "common/args.hpp"
#include "common/plot.hpp"
#include "fashion_mnist/checkpoint.hpp"
#include "fashion_mnist/distributed.hpp"
#include "fashion_mnist/progress.hpp"
#include "fashion_mnist/training.hpp"

namespace {

// The first `limit` samples of `data`, or all of them when `limit` is 0.
ag::nn::TensorDataset first_samples(const ag::nn::TensorDataset& data, std::int64_t limit) {
  if (limit == 0 || limit >= data.size()) return data;
  return {data.inputs().slice(0, 0, limit), data.targets().slice(0, 0, limit)};
}

struct EpochRecord {
  double learning_rate;
  fashion_mnist::RunningFigures train;
  fashion_mnist::RunningFigures test;
  double samples_per_second;  // of training, evaluation left out
  double seconds;             // of training and evaluation
  double resident_mib;
};

void print_epoch(std::int64_t epoch, std::int64_t epochs, const EpochRecord& r) {
  fmt::print(
      "epoch {}/{}: learning rate {:.4f}, train loss {:.4f}, accuracy {:.2f}% | test loss {:.4f}, accuracy "
      "{:.2f}% | {:.0f} samples/s, {:.1f} s | RSS {:.1f} MiB\n",
      epoch, epochs, r.learning_rate, r.train.loss, 100 * r.train.accuracy, r.test.loss, 100 * r.test.accuracy,
      r.samples_per_second, r.seconds, r.resident_mib);
  std::fflush(stdout);
}

// `records` start at `first_epoch` (after 1 when the run was resumed).
void write_results(const std::vector<EpochRecord>& records, std::int64_t first_epoch, const std::string& title,
                   const std::filesystem::path& out) {
  std::vector<double> epochs;
  for (std::size_t i = 0; i < records.size(); ++i) epochs.push_back(static_cast<double>(first_epoch) + i);
  const auto series = [&](const char* name, auto value_of) {
    examples::Series s{name, epochs, {}};
    for (const EpochRecord& r : records) s.y.push_back(value_of(r));
    return s;
  };
  const auto train_loss = series("train loss", [](const EpochRecord& r) { return r.train.loss; });
  const auto test_accuracy = series("test accuracy", [](const EpochRecord& r) { return r.test.accuracy; });
  examples::write_csv(out / "training.csv", "epoch",
                      {series("learning_rate", [](const EpochRecord& r) { return r.learning_rate; }),
                       series("train_loss", [](const EpochRecord& r) { return r.train.loss; }),
                       series("train_accuracy", [](const EpochRecord& r) { return r.train.accuracy; }),
                       series("test_loss", [](const EpochRecord& r) { return r.test.loss; }),
                       series("test_accuracy", [](const EpochRecord& r) { return r.test.accuracy; }),
                       series("samples_per_second", [](const EpochRecord& r) { return r.samples_per_second; }),
                       series("seconds", [](const EpochRecord& r) { return r.seconds; }),
                       series("resident_mib", [](const EpochRecord& r) { return r.resident_mib; })});
  const bool drawn =
      examples::plot_png(out / "training.png", {"Fashion-MNIST, " + title, "Epoch", "Mean training loss", true},
                         {train_loss, test_accuracy});
  fmt::print("wrote {}{}\n", (out / "training.csv").string(), drawn ? " and " + (out / "training.png").string() : "");
}

void save_weights(const ag::nn::Module& model, const std::filesystem::path& path) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  ag::nn::save_safetensors(path, model.state_dict());
  fmt::print("wrote the parameters to {}\n", path.string());
}

int fashion_mnist_main(int argc, char** argv) {
  examples::Args args("fashion_mnist",
                      "An MLP 784-256-128-10 (SGD with momentum 0.9) or a CNN (two 3x3 convolutions with max pooling, "
                      "two linear layers with dropout; Adam) trained on Fashion-MNIST.");
  args.flag("model", "mlp", "mlp or cnn")
      .flag("epochs", "10", "passes over the training images (0: only evaluate, e.g. the parameters of --weights)")
      .flag("batch-size", "64", "images per optimiser step")
      .flag("learning-rate", "",
            "mlp: SGD learning rate of the first epoch, lowered along a cosine after it (default 0.05); cnn: Adam "
            "learning rate, constant (default 0.001)")
      .flag("threads", "1", "threads for the matrix products and convolutions")
      .flag("seed", "1", "seed for the initial weights, the shuffling and dropout")
      .flag("data", ag::nn::kFashionMnistDir.string(), "folder with the dataset's IDX files")
      .flag("limit", "0", "train on the first N images only (0: all)")
      .flag("out", "out/fashion_mnist", "folder for training.csv and training.png")
      .flag("weights", "", "safetensors file to load the parameters from (PyTorch's state_dict names)")
      .flag("save-weights", "", "safetensors file to write the parameters to at the end")
      .flag("checkpoint", "", "file to save the model and optimiser to after every epoch")
      .toggle("resume", "continue the run saved in --checkpoint from its last epoch")
      .toggle("distributed",
              "data-parallel training over the ranks of mpirun (mpirun -np 2 fashion_mnist --distributed ...): each "
              "rank takes its share of every --batch-size images; rank 0 prints and writes the checkpoint");
  if (!args.parse(argc, argv)) return 0;
  const auto model_kind = fashion_mnist::parse_model(args.text("model"));
  if (!model_kind) throw examples::UsageError(fmt::format("--model expects mlp or cnn, got '{}'", args.text("model")));
  const fashion_mnist::ModelKind kind = *model_kind;
  const std::int64_t epochs = args.integer("epochs", 0);
  const std::int64_t batch_size = args.integer("batch-size", 1);
  const double learning_rate =
      args.text("learning-rate").empty() ? fashion_mnist::default_learning_rate(kind) : args.real("learning-rate");
  const auto threads = static_cast<int>(args.integer("threads", 1));
  const auto seed = static_cast<std::uint64_t>(args.integer("seed"));
  const std::filesystem::path data_dir = args.text("data");
  const std::filesystem::path out = args.text("out");
  const std::filesystem::path weights = args.text("weights");
  const std::filesystem::path saved_weights = args.text("save-weights");
  const std::filesystem::path checkpoint = args.text("checkpoint");
  const fashion_mnist::RunSettings settings{kind, batch_size, learning_rate, seed, args.integer("limit")};
  if (args.enabled("resume") && checkpoint.empty())
    throw examples::UsageError("--resume needs --checkpoint FILE, the checkpoint to continue from");
  if (args.enabled("resume") && !weights.empty())
    throw examples::UsageError("--weights and --resume both give the parameters; use one of them");
  const bool distributed = args.enabled("distributed");
  const fashion_mnist::Ranks ranks = distributed ? fashion_mnist::join_distributed(batch_size) : fashion_mnist::Ranks{};
  if (checkpoint.has_parent_path()) std::filesystem::create_directories(checkpoint.parent_path());

  ag::set_num_threads(threads);
  const auto train = fashion_mnist::shaped_for(
      kind, first_samples(ag::nn::load_fashion_mnist(data_dir, ag::nn::Split::Train), settings.limit));
  const auto test = fashion_mnist::shaped_for(kind, ag::nn::load_fashion_mnist(data_dir, ag::nn::Split::Test));
  fmt::print("{} training and {} test images from {}; {} thread{}\n", train.size(), test.size(), data_dir.string(),
             threads, threads == 1 ? "" : "s");
  if (distributed)
    fmt::print("data-parallel over {} ranks: {} images of each batch per rank\n", ranks.world_size,
               batch_size / ranks.world_size);

  ag::manual_seed(seed);
  const auto model = fashion_mnist::make_model(kind);
  fmt::print("{}\n", model->summary());
  if (!weights.empty()) {
    model->load_state_dict(ag::nn::load_safetensors(weights), weights.string());
    fmt::print("loaded the parameters from {}\n", weights.string());
  }
  const auto optimizer = fashion_mnist::make_optimizer(kind, model->parameters(), learning_rate);
  ag::nn::DataLoader loader =
      distributed
          ? fashion_mnist::rank_loader(train, batch_size, seed, ranks)
          : ag::nn::DataLoader(train, ag::nn::DataLoaderOptions().batch_size(batch_size).shuffle(true).seed(seed));
  std::int64_t first_epoch = 1;
  if (args.enabled("resume")) {
    const std::int64_t epochs_done = fashion_mnist::resume_progress(checkpoint, *model, *optimizer, settings);
    loader.set_epoch(epochs_done);
    first_epoch = epochs_done + 1;
    fmt::print("resumed from {} after epoch {}\n", checkpoint.string(), epochs_done);
    if (first_epoch > epochs && epochs != 0) {
      fmt::print("nothing left to train: --epochs is {}\n", epochs);
      if (!saved_weights.empty() && ranks.rank == 0) save_weights(*model, saved_weights);
      return 0;
    }
  }
  if (epochs == 0) {  // the loaded parameters (--weights or --resume), evaluated only
    const auto tested = fashion_mnist::evaluate(*model, test);
    fmt::print("test loss {:.4f}, test accuracy {:.2f}% on {} images\n", tested.loss, 100 * tested.accuracy,
               tested.samples);
    if (!saved_weights.empty() && ranks.rank == 0) save_weights(*model, saved_weights);
    return 0;
  }

  const bool terminal = fashion_mnist::stdout_is_terminal();
  std::vector<EpochRecord> records;
  double total_seconds = 0;
  double training_seconds = 0;
  const std::shared_ptr<ag::nn::UnaryModule> trained_model = distributed ? fashion_mnist::data_parallel(model) : model;
  for (std::int64_t epoch = first_epoch; epoch <= epochs; ++epoch) {
    // Dropout draws from the global generator: seeded per epoch, so a resumed run draws what an uninterrupted one does.
    ag::manual_seed(seed + static_cast<std::uint64_t>(epoch));
    optimizer->set_learning_rate(fashion_mnist::scheduled_learning_rate(kind, epoch, epochs, learning_rate));
    fashion_mnist::ProgressBar progress(fmt::format("epoch {}/{}", epoch, epochs), train.size(), terminal);
    const auto trained =
        fashion_mnist::train_epoch(*trained_model, *optimizer, loader, [&](const fashion_mnist::RunningFigures& f) {
          progress.update(f.samples * ranks.world_size, f.loss, f.accuracy);
        });
    training_seconds += progress.seconds();
    const double samples_per_second = static_cast<double>(trained.samples * ranks.world_size) / progress.seconds();
    const auto tested = fashion_mnist::evaluate(*model, test);
    progress.clear();
    records.push_back({optimizer->learning_rate(), trained, tested, samples_per_second, progress.seconds(),
                       fashion_mnist::resident_memory_mib()});
    print_epoch(epoch, epochs, records.back());
    total_seconds += records.back().seconds;
    if (!checkpoint.empty() && ranks.rank == 0)
      fashion_mnist::save_progress(checkpoint, *model, *optimizer, settings, epoch);
  }
  fmt::print("{} epochs in {:.1f} s; final test accuracy {:.2f}%\n", records.size(), total_seconds,
             100 * records.back().test.accuracy);
  if (distributed) fmt::print("{}\n", fashion_mnist::communication_report(*trained_model, training_seconds));
  if (ranks.rank != 0) return 0;  // rank 0 writes the results
  if (!saved_weights.empty()) save_weights(*model, saved_weights);
  write_results(records, first_epoch, fashion_mnist::model_title(kind), out);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return fashion_mnist::leave_distributed(examples::run_example(fashion_mnist_main, argc, argv));
}
