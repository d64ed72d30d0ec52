#pragma once

// The example's checkpoints: the model and optimiser after an epoch, with the epoch count and the settings that
// decide the run, so that --resume continues exactly the run that was interrupted.

#include <nn/nn.hpp>

#include "fashion_mnist/training.hpp"

#include <cstdint>
#include <filesystem>

namespace fashion_mnist {

// The flags a resumed run must share with the run it continues, or its result would differ from an uninterrupted one.
struct RunSettings {
  ModelKind model;
  std::int64_t batch_size;
  double learning_rate;
  std::uint64_t seed;
  std::int64_t limit;
};

void save_progress(const std::filesystem::path& path, const ag::nn::Module& model,
                   const ag::optim::Optimizer& optimizer, const RunSettings& settings, std::int64_t epochs_done);

// Loads a checkpoint of save_progress into `model` and `optimizer` and returns its epochs done. Throws, changing
// nothing, when the file is damaged, does not fit the model, holds the other model, or was made with other settings
// (naming the flag).
std::int64_t resume_progress(const std::filesystem::path& path, ag::nn::Module& model, ag::optim::Optimizer& optimizer,
                             const RunSettings& settings);

}  // namespace fashion_mnist
