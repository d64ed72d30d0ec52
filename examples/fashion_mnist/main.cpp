// Fashion-MNIST with an MLP 784-256-128-10: SGD with momentum on shuffled mini-batches, the test accuracy after
// every epoch, and the loss and accuracy curves as CSV and PNG.

#include <nn/fashion_mnist.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "common/args.hpp"
#include "common/plot.hpp"
#include "fashion_mnist/checkpoint.hpp"
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
void write_results(const std::vector<EpochRecord>& records, std::int64_t first_epoch,
                   const std::filesystem::path& out) {
  std::vector<double> epochs;
  for (std::size_t i = 0; i < records.size(); ++i) epochs.push_back(static_cast<double>(first_epoch) + i);
  const auto series = [&](const char* title, auto value_of) {
    examples::Series s{title, epochs, {}};
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
  const bool drawn = examples::plot_png(out / "training.png",
                                        {"Fashion-MNIST, MLP 784-256-128-10", "Epoch", "Mean training loss", true},
                                        {train_loss, test_accuracy});
  fmt::print("wrote {}{}\n", (out / "training.csv").string(), drawn ? " and " + (out / "training.png").string() : "");
}

int fashion_mnist_main(int argc, char** argv) {
  examples::Args args("fashion_mnist", "An MLP 784-256-128-10 trained on Fashion-MNIST by SGD with momentum 0.9.");
  args.flag("epochs", "10", "passes over the training images")
      .flag("batch-size", "64", "images per SGD step")
      .flag("learning-rate", "0.05", "SGD learning rate of the first epoch, lowered along a cosine after it")
      .flag("threads", "1", "threads for the matrix products")
      .flag("seed", "1", "seed for the initial weights and the shuffling")
      .flag("data", ag::nn::kFashionMnistDir.string(), "folder with the dataset's IDX files")
      .flag("limit", "0", "train on the first N images only (0: all)")
      .flag("out", "out/fashion_mnist", "folder for training.csv and training.png")
      .flag("checkpoint", "", "file to save the model and optimiser to after every epoch")
      .toggle("resume", "continue the run saved in --checkpoint from its last epoch");
  if (!args.parse(argc, argv)) return 0;
  const std::int64_t epochs = args.integer("epochs", 1);
  const std::int64_t batch_size = args.integer("batch-size", 1);
  const double learning_rate = args.real("learning-rate");
  const auto threads = static_cast<int>(args.integer("threads", 1));
  const auto seed = static_cast<std::uint64_t>(args.integer("seed"));
  const std::filesystem::path data_dir = args.text("data");
  const std::filesystem::path out = args.text("out");
  const std::filesystem::path checkpoint = args.text("checkpoint");
  const fashion_mnist::RunSettings settings{batch_size, learning_rate, seed, args.integer("limit")};
  if (args.enabled("resume") && checkpoint.empty())
    throw examples::UsageError("--resume needs --checkpoint FILE, the checkpoint to continue from");
  if (checkpoint.has_parent_path()) std::filesystem::create_directories(checkpoint.parent_path());

  ag::set_num_threads(threads);
  const auto train = first_samples(ag::nn::load_fashion_mnist(data_dir, ag::nn::Split::Train), settings.limit);
  const auto test = ag::nn::load_fashion_mnist(data_dir, ag::nn::Split::Test);
  fmt::print("{} training and {} test images from {}; {} thread{}\n", train.size(), test.size(), data_dir.string(),
             threads, threads == 1 ? "" : "s");

  ag::manual_seed(seed);
  const auto model = fashion_mnist::make_mlp();
  fmt::print("{}\n", model->summary());
  ag::optim::SGD sgd(model->parameters(), ag::optim::SGDOptions(learning_rate).momentum(0.9));
  ag::nn::DataLoader loader(train, ag::nn::DataLoaderOptions().batch_size(batch_size).shuffle(true).seed(seed));
  std::int64_t first_epoch = 1;
  if (args.enabled("resume")) {
    const std::int64_t epochs_done = fashion_mnist::resume_progress(checkpoint, *model, sgd, settings);
    loader.set_epoch(epochs_done);
    first_epoch = epochs_done + 1;
    fmt::print("resumed from {} after epoch {}\n", checkpoint.string(), epochs_done);
    if (first_epoch > epochs) {
      fmt::print("nothing left to train: --epochs is {}\n", epochs);
      return 0;
    }
  }

  const bool terminal = fashion_mnist::stdout_is_terminal();
  std::vector<EpochRecord> records;
  double total_seconds = 0;
  for (std::int64_t epoch = first_epoch; epoch <= epochs; ++epoch) {
    sgd.set_learning_rate(fashion_mnist::learning_rate_at(epoch, epochs, learning_rate));
    fashion_mnist::ProgressBar progress(fmt::format("epoch {}/{}", epoch, epochs), train.size(), terminal);
    const auto trained = fashion_mnist::train_epoch(*model, sgd, loader, [&](const fashion_mnist::RunningFigures& f) {
      progress.update(f.samples, f.loss, f.accuracy);
    });
    const double samples_per_second = static_cast<double>(trained.samples) / progress.seconds();
    const auto tested = fashion_mnist::evaluate(*model, test);
    progress.clear();
    records.push_back({sgd.learning_rate(), trained, tested, samples_per_second, progress.seconds(),
                       fashion_mnist::resident_memory_mib()});
    print_epoch(epoch, epochs, records.back());
    total_seconds += records.back().seconds;
    if (!checkpoint.empty()) fashion_mnist::save_progress(checkpoint, *model, sgd, settings, epoch);
  }
  fmt::print("{} epochs in {:.1f} s; final test accuracy {:.2f}%\n", records.size(), total_seconds,
             100 * records.back().test.accuracy);
  write_results(records, first_epoch, out);
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return examples::run_example(fashion_mnist_main, argc, argv); }
