#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <autograd/detail/options_arg.hpp>
#include <nn/optim/optimizer.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ag::optim {

/// The base of the schedules stepped once an epoch (or once a batch), as PyTorch's LRScheduler: each step() sets the
/// learning rate of every parameter group of the optimiser. The rules are PyTorch's chainable forms, which compute
/// the next rate from the optimiser's current one, so that two schedulers stepped together compose (a warm-up and a
/// decay) and a single one gives PyTorch's values exactly. The optimiser must outlive the scheduler.
class LRScheduler {
 public:
  /// Deleted: a scheduler drives one optimiser.
  LRScheduler(const LRScheduler&) = delete;
  /// Deleted, as the copy constructor.
  LRScheduler& operator=(const LRScheduler&) = delete;
  virtual ~LRScheduler() = default;

  /// Moves the schedule on by one epoch and sets each group's learning rate. Throws ag::Error, changing nothing, if
  /// the optimiser's parameter groups changed since the scheduler was made, or a rate would be invalid.
  void step();
  /// The learning rates the last step (or the constructor, which takes step 0) set, one per group.
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  /// The number of steps taken since the constructor's (PyTorch's last_epoch).
  std::int64_t last_epoch() const { return last_epoch_; }
  /// Each group's learning rate before the first scheduler on the optimiser changed it (PyTorch's base_lrs).
  const std::vector<double>& base_lrs() const { return base_lrs_; }

 protected:
  /// A scheduler of kind `name` ("StepLR") on `optimizer`. The derived constructor checks its settings, then calls
  /// initial_step().
  LRScheduler(std::string name, Optimizer& optimizer);
  /// Takes step 0, as PyTorch's constructor: the learning rates become get_lr(0, current rates).
  void initial_step();
  /// The learning rates of epoch `epoch` from the optimiser's `current` ones, one per group (PyTorch's get_lr()).
  virtual std::vector<double> get_lr(std::int64_t epoch, const std::vector<double>& current) const = 0;
  /// The scheduler's kind, for messages.
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  Optimizer& optimizer_;
  std::vector<double> base_lrs_;
  std::vector<double> last_lr_;
  std::int64_t last_epoch_ = -1;
};

/// Multiplies the learning rate by `gamma` every `step_size` epochs, as torch.optim.lr_scheduler.StepLR:
/// lr = base_lr * gamma^(epoch / step_size).
class StepLR : public LRScheduler {
 public:
  /// Throws ag::Error if `step_size` is not positive or `gamma` is negative.
  StepLR(Optimizer& optimizer, std::int64_t step_size, double gamma = 0.1);

 protected:
  std::vector<double> get_lr(std::int64_t epoch, const std::vector<double>& current) const override;

 private:
  std::int64_t step_size_;
  double gamma_;
};

/// Anneals the learning rate from base_lr down to `eta_min` along half a cosine over `T_max` epochs, as
/// torch.optim.lr_scheduler.CosineAnnealingLR: lr = eta_min + (base_lr - eta_min) (1 + cos(pi epoch / T_max)) / 2.
/// Past T_max it rises again, as PyTorch's.
class CosineAnnealingLR : public LRScheduler {
 public:
  /// Throws ag::Error if `T_max` is not positive or `eta_min` is negative.
  CosineAnnealingLR(Optimizer& optimizer, std::int64_t T_max, double eta_min = 0.0);

 protected:
  std::vector<double> get_lr(std::int64_t epoch, const std::vector<double>& current) const override;

 private:
  std::int64_t T_max_;
  double eta_min_;
};

/// A linear warm-up, as torch.optim.lr_scheduler.LinearLR: the learning rate goes from base_lr * start_factor to
/// base_lr * end_factor over `total_iters` epochs, then stays.
class LinearLR : public LRScheduler {
 public:
  /// Throws ag::Error if `start_factor` is not in (0, 1], `end_factor` not in [0, 1], or `total_iters` not positive.
  explicit LinearLR(Optimizer& optimizer, double start_factor = 1.0 / 3.0, double end_factor = 1.0,
                    std::int64_t total_iters = 5);

 protected:
  std::vector<double> get_lr(std::int64_t epoch, const std::vector<double>& current) const override;

 private:
  double start_factor_;
  double end_factor_;
  std::int64_t total_iters_;
};

/// Whether ReduceLROnPlateau waits for the metric to fall (a loss) or to rise (an accuracy).
enum class PlateauMode {
  Min,  ///< lower is better (PyTorch's mode='min')
  Max,  ///< higher is better (mode='max')
};

/// How ReduceLROnPlateau's threshold compares a metric with the best so far.
enum class ThresholdMode {
  Rel,  ///< better by a factor: below best * (1 - threshold) in Min mode, above best * (1 + threshold) in Max
  Abs,  ///< better by an amount: below best - threshold in Min mode, above best + threshold in Max
};

/// Chainable settings of ReduceLROnPlateau, with PyTorch's defaults; for example
/// ReduceLROnPlateauOptions().factor(0.5).patience(2).
class ReduceLROnPlateauOptions {
  /// Whether the metric should fall or rise (default PlateauMode::Min).
  ///@{
  AG_ARG(PlateauMode, mode) = PlateauMode::Min;
  ///@}
  /// What the learning rate is multiplied by on a plateau (default 0.1); must lie in [0, 1).
  ///@{
  AG_ARG(double, factor) = 0.1;
  ///@}
  /// The number of epochs without improvement tolerated before a reduction (default 10); must be non-negative.
  ///@{
  AG_ARG(std::int64_t, patience) = 10;
  ///@}
  /// How much better than the best a metric must be to count as an improvement (default 1e-4); non-negative.
  ///@{
  AG_ARG(double, threshold) = 1e-4;
  ///@}
  /// Whether the threshold is relative or absolute (default ThresholdMode::Rel).
  ///@{
  AG_ARG(ThresholdMode, threshold_mode) = ThresholdMode::Rel;
  ///@}
  /// The number of epochs after a reduction during which bad epochs are not counted (default 0); non-negative.
  ///@{
  AG_ARG(std::int64_t, cooldown) = 0;
  ///@}
  /// The lowest learning rate of every group (default 0); must be non-negative.
  ///@{
  AG_ARG(double, min_lr) = 0.0;
  ///@}
  /// The lowest learning rate of each group, one per group; when not empty it replaces min_lr (default empty).
  ///@{
  AG_ARG(std::vector<double>, min_lrs);
  ///@}
  /// A reduction smaller than this is skipped (default 1e-8); must be non-negative.
  ///@{
  AG_ARG(double, eps) = 1e-8;
  ///@}
};

/// Reduces the learning rate when a metric stops improving, as torch.optim.lr_scheduler.ReduceLROnPlateau: after
/// more than `patience` epochs without a better metric, each group's rate becomes max(lr * factor, min_lr).
class ReduceLROnPlateau {
 public:
  /// A scheduler on `optimizer`, which must outlive it. Throws ag::Error if a setting is out of its range, or min_lrs
  /// is not empty and has not one value per parameter group.
  explicit ReduceLROnPlateau(Optimizer& optimizer, ReduceLROnPlateauOptions options = {});

  /// Records the epoch's `metric` (a validation loss, say) and reduces the learning rates if it is on a plateau.
  /// Throws ag::Error, changing nothing, if the optimiser's parameter groups changed since the scheduler was made.
  void step(double metric);
  /// Each group's learning rate after the last step (before any step, the optimiser's).
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  /// The number of steps taken.
  std::int64_t last_epoch() const { return last_epoch_; }
  /// The best metric so far (infinity in Min mode, minus infinity in Max mode, before the first step).
  double best() const { return best_; }
  /// The epochs since the best metric that counted as bad.
  std::int64_t num_bad_epochs() const { return num_bad_epochs_; }
  /// The settings it was made with.
  const ReduceLROnPlateauOptions& options() const { return options_; }

 private:
  bool is_better(double metric) const;

  Optimizer& optimizer_;
  ReduceLROnPlateauOptions options_;
  std::vector<double> min_lrs_;
  std::vector<double> last_lr_;
  double best_;
  std::int64_t num_bad_epochs_ = 0;
  std::int64_t cooldown_counter_ = 0;
  std::int64_t last_epoch_ = 0;
};

}  // namespace ag::optim

#pragma GCC visibility pop
