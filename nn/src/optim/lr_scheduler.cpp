// The schedulers in PyTorch's chainable forms (torch/optim/lr_scheduler.py, get_lr), term for term in its order of
// operations, so that a schedule gives PyTorch's values to the last bit.

#include <nn/optim/lr_scheduler.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace ag::optim {

namespace {

// A scheduler set its rates for a number of groups; a group added since has no rate in its schedule.
void check_group_count(std::string_view scheduler, const Optimizer& optimizer, std::size_t groups) {
  if (optimizer.param_group_count() != groups)
    fail(
        "{}: the {} has {} parameter groups, but had {} when the scheduler was made; make a new scheduler after "
        "add_param_group",
        scheduler, optimizer.name(), optimizer.param_group_count(), groups);
}

}  // namespace

LRScheduler::LRScheduler(std::string name, Optimizer& optimizer) : name_(std::move(name)), optimizer_(optimizer) {
  const std::vector<double> current = optimizer.learning_rates();
  std::vector<double>& initial = optimizer.initial_learning_rates_;
  for (std::size_t group = initial.size(); group < current.size(); ++group) initial.push_back(current[group]);
  base_lrs_.assign(initial.begin(), initial.begin() + static_cast<std::ptrdiff_t>(current.size()));
}

void LRScheduler::initial_step() { step(); }

void LRScheduler::step() {
  check_group_count(name_, optimizer_, base_lrs_.size());
  std::vector<double> rates = get_lr(last_epoch_ + 1, optimizer_.learning_rates());
  optimizer_.set_learning_rates(rates);
  ++last_epoch_;
  last_lr_ = std::move(rates);
}

StepLR::StepLR(Optimizer& optimizer, std::int64_t step_size, double gamma)
    : LRScheduler("StepLR", optimizer), step_size_(step_size), gamma_(gamma) {
  if (step_size <= 0) fail("StepLR: step_size must be positive, got {}", step_size);
  if (!(gamma >= 0.0)) fail("StepLR: gamma must be non-negative, got {}", gamma);
  initial_step();
}

std::vector<double> StepLR::get_lr(std::int64_t epoch, const std::vector<double>& current) const {
  if (epoch == 0 || epoch % step_size_ != 0) return current;
  std::vector<double> rates;
  for (double lr : current) rates.push_back(lr * gamma_);
  return rates;
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, std::int64_t T_max, double eta_min)
    : LRScheduler("CosineAnnealingLR", optimizer), T_max_(T_max), eta_min_(eta_min) {
  if (T_max <= 0) fail("CosineAnnealingLR: T_max must be positive, got {}", T_max);
  if (!(eta_min >= 0.0)) fail("CosineAnnealingLR: eta_min must be non-negative, got {}", eta_min);
  initial_step();
}

std::vector<double> CosineAnnealingLR::get_lr(std::int64_t epoch, const std::vector<double>& current) const {
  if (epoch == 0) return current;
  const double pi = std::numbers::pi;
  const auto T_max = static_cast<double>(T_max_);
  const auto e = static_cast<double>(epoch);
  std::vector<double> rates;
  for (std::size_t group = 0; group < current.size(); ++group) {
    // At the bottom of the cosine the ratio below would divide by zero; PyTorch steps from there by the difference.
    if ((epoch - 1 - T_max_) % (2 * T_max_) == 0)
      rates.push_back(current[group] + (base_lrs()[group] - eta_min_) * (1 - std::cos(pi / T_max)) / 2);
    else
      rates.push_back((1 + std::cos(pi * e / T_max)) / (1 + std::cos(pi * (e - 1) / T_max)) *
                          (current[group] - eta_min_) +
                      eta_min_);
  }
  return rates;
}

LinearLR::LinearLR(Optimizer& optimizer, double start_factor, double end_factor, std::int64_t total_iters)
    : LRScheduler("LinearLR", optimizer),
      start_factor_(start_factor),
      end_factor_(end_factor),
      total_iters_(total_iters) {
  if (!(start_factor > 0.0 && start_factor <= 1.0))
    fail("LinearLR: start_factor must lie in (0, 1], got {}", start_factor);
  if (!(end_factor >= 0.0 && end_factor <= 1.0)) fail("LinearLR: end_factor must lie in [0, 1], got {}", end_factor);
  if (total_iters <= 0) fail("LinearLR: total_iters must be positive, got {}", total_iters);
  initial_step();
}

std::vector<double> LinearLR::get_lr(std::int64_t epoch, const std::vector<double>& current) const {
  if (epoch > total_iters_) return current;
  std::vector<double> rates;
  for (double lr : current) {
    if (epoch == 0)
      rates.push_back(lr * start_factor_);
    else
      rates.push_back(
          lr * (1. + (end_factor_ - start_factor_) / (static_cast<double>(total_iters_) * start_factor_ +
                                                      static_cast<double>(epoch - 1) * (end_factor_ - start_factor_))));
  }
  return rates;
}

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& optimizer, ReduceLROnPlateauOptions options)
    : optimizer_(optimizer),
      options_(std::move(options)),
      last_lr_(optimizer.learning_rates()),
      best_(options_.mode() == PlateauMode::Min ? std::numeric_limits<double>::infinity()
                                                : -std::numeric_limits<double>::infinity()) {
  const ReduceLROnPlateauOptions& o = options_;
  if (!(o.factor() >= 0.0 && o.factor() < 1.0))
    fail("ReduceLROnPlateau: factor must lie in [0, 1), got {}", o.factor());
  if (o.patience() < 0) fail("ReduceLROnPlateau: patience must be non-negative, got {}", o.patience());
  if (!(o.threshold() >= 0.0)) fail("ReduceLROnPlateau: threshold must be non-negative, got {}", o.threshold());
  if (o.cooldown() < 0) fail("ReduceLROnPlateau: cooldown must be non-negative, got {}", o.cooldown());
  if (!(o.eps() >= 0.0)) fail("ReduceLROnPlateau: eps must be non-negative, got {}", o.eps());
  const std::size_t groups = optimizer.param_group_count();
  if (o.min_lrs().empty()) {
    min_lrs_.assign(groups, o.min_lr());
  } else if (o.min_lrs().size() != groups) {
    fail("ReduceLROnPlateau: expected {} min_lrs, one per parameter group of the {}, got {}", groups, optimizer.name(),
         o.min_lrs().size());
  } else {
    min_lrs_ = o.min_lrs();
  }
  for (double min_lr : min_lrs_)
    if (!(min_lr >= 0.0)) fail("ReduceLROnPlateau: min_lr must be non-negative, got {}", min_lr);
}

bool ReduceLROnPlateau::is_better(double metric) const {
  const double threshold = options_.threshold();
  const bool relative = options_.threshold_mode() == ThresholdMode::Rel;
  if (options_.mode() == PlateauMode::Min)
    return relative ? metric < best_ * (1. - threshold) : metric < best_ - threshold;
  return relative ? metric > best_ * (threshold + 1.) : metric > best_ + threshold;
}

void ReduceLROnPlateau::step(double metric) {
  check_group_count("ReduceLROnPlateau", optimizer_, min_lrs_.size());
  std::int64_t bad_epochs = num_bad_epochs_;
  std::int64_t cooldown = cooldown_counter_;
  double best = best_;
  if (is_better(metric)) {
    best = metric;
    bad_epochs = 0;
  } else {
    ++bad_epochs;
  }
  if (cooldown > 0) {
    --cooldown;
    bad_epochs = 0;  // bad epochs in the cooldown do not count
  }
  std::vector<double> rates = optimizer_.learning_rates();
  if (bad_epochs > options_.patience()) {
    for (std::size_t group = 0; group < rates.size(); ++group) {
      const double reduced = std::max(rates[group] * options_.factor(), min_lrs_[group]);
      if (rates[group] - reduced > options_.eps()) rates[group] = reduced;
    }
    optimizer_.set_learning_rates(rates);
    cooldown = options_.cooldown();
    bad_epochs = 0;
  }
  best_ = best;
  num_bad_epochs_ = bad_epochs;
  cooldown_counter_ = cooldown;
  ++last_epoch_;
  last_lr_ = std::move(rates);
}

}  // namespace ag::optim
