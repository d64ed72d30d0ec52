#include "fashion_mnist/checkpoint.hpp"

#include <autograd/autograd.hpp>

#include <fmt/format.h>

#include <string>
#include <vector>

namespace fashion_mnist {

namespace {

struct SettingEntry {
  const char* name;  // the entry's name and the flag's
  double value;
};

std::vector<SettingEntry> entries_of(const RunSettings& settings) {
  return {{"batch-size", static_cast<double>(settings.batch_size)},
          {"learning-rate", settings.learning_rate},
          {"seed", static_cast<double>(settings.seed)},
          {"limit", static_cast<double>(settings.limit)}};
}

double value_of(const ag::nn::StateDict& extra, const std::string& name, const std::filesystem::path& path) {
  for (const auto& [entry, tensor] : extra)
    if (entry == name && tensor.numel() == 1) return tensor.item();
  ag::fail("{}: not a checkpoint of this example (it has no '{}' entry)", path.string(), name);
}

// The model's entry: 0 for the MLP, 1 for the CNN. Checkpoints written before --model existed have none and hold
// the MLP.
double model_code(ModelKind kind) { return kind == ModelKind::Mlp ? 0.0 : 1.0; }

ModelKind saved_model(const ag::nn::StateDict& extra, const std::filesystem::path& path) {
  for (const auto& [entry, tensor] : extra) {
    if (entry != "model") continue;
    if (tensor.numel() == 1 && (tensor.item() == 0.0 || tensor.item() == 1.0))
      return tensor.item() == 0.0 ? ModelKind::Mlp : ModelKind::Cnn;
    ag::fail("{}: 'model' must be 0 (mlp) or 1 (cnn)", path.string());
  }
  return ModelKind::Mlp;
}

}  // namespace

void save_progress(const std::filesystem::path& path, const ag::nn::Module& model,
                   const ag::optim::Optimizer& optimizer, const RunSettings& settings, std::int64_t epochs_done) {
  ag::nn::StateDict extra{{"model", ag::scalar(model_code(settings.model), ag::kFloat64)},
                          {"epochs_done", ag::scalar(static_cast<double>(epochs_done), ag::kFloat64)}};
  for (const auto& [name, value] : entries_of(settings)) extra.emplace_back(name, ag::scalar(value, ag::kFloat64));
  ag::nn::save_checkpoint(path, model, &optimizer, extra);
}

std::int64_t resume_progress(const std::filesystem::path& path, ag::nn::Module& model, ag::optim::Optimizer& optimizer,
                             const RunSettings& settings) {
  // Checked on copies first, so that a checkpoint of another run leaves the fresh model untouched.
  const ag::nn::StateDict entries = ag::nn::load(path);
  ag::nn::StateDict extra;
  for (const auto& [name, tensor] : entries)
    if (name.starts_with("extra.")) extra.emplace_back(name.substr(6), tensor);
  const ModelKind saved = saved_model(extra, path);
  if (saved != settings.model)
    ag::fail("{}: the checkpoint holds the {} (--model {}), but this run has --model {}; resume with --model {}",
             path.string(), model_title(saved), model_flag(saved), model_flag(settings.model), model_flag(saved));
  for (const auto& [name, value] : entries_of(settings)) {
    const double saved = value_of(extra, name, path);
    if (saved != value)
      ag::fail("{}: the checkpoint was trained with --{} {}, but this run has --{} {}; resume with the same value",
               path.string(), name, saved, name, value);
  }
  const double epochs_done = value_of(extra, "epochs_done", path);
  if (!(epochs_done >= 1 && epochs_done == static_cast<double>(static_cast<std::int64_t>(epochs_done))))
    ag::fail("{}: 'epochs_done' must be a positive whole number, got {}", path.string(), epochs_done);
  ag::nn::load_checkpoint(path, model, &optimizer);
  return static_cast<std::int64_t>(epochs_done);
}

}  // namespace fashion_mnist
