// The schedulers against PyTorch's learning-rate sequences on an optimiser with two parameter groups (base rates 0.1
// and 0.02), as tests/nn/reference/make_scheduler_reference.py recorded them with torch.optim.lr_scheduler.

#include <nn/nn.hpp>

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "reference/scheduler_reference.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

using Catch::Contains;

namespace {

// An SGD with two groups of one parameter each, at learning rates 0.1 and 0.02.
struct TwoGroups {
  ag::Tensor p = ag::zeros({1}, ag::requires_grad());
  ag::Tensor q = ag::zeros({1}, ag::requires_grad());
  ag::optim::SGD sgd{std::vector<ag::optim::SGD::ParamGroup>{{{p}}, {{q}, ag::optim::SGDOptions(0.02)}},
                     ag::optim::SGDOptions(0.1)};
};

void check_rates(const std::vector<double>& rates, const std::vector<double>& expected, const std::string& what) {
  INFO(what);
  REQUIRE(rates.size() == expected.size());
  for (std::size_t group = 0; group < rates.size(); ++group)
    CHECK(rates[group] == Approx(expected[group]).epsilon(1e-14).margin(1e-300));
}

// Makes the schedulers on `t.sgd`, then steps them all together and checks the optimiser's rates and each
// scheduler's get_last_lr() after construction and after every step against case `name`.
void check_against_pytorch(
    const std::string& name,
    const std::function<std::vector<std::unique_ptr<ag::optim::LRScheduler>>(ag::optim::Optimizer&)>& make) {
  TwoGroups t;
  const auto schedulers = make(t.sgd);
  const auto& expected = scheduler_reference::learning_rates().at(name);
  for (std::size_t step = 0; step < expected.size(); ++step) {
    if (step > 0)
      for (const auto& scheduler : schedulers) scheduler->step();
    const std::string what = name + ", step " + std::to_string(step);
    check_rates(t.sgd.learning_rates(), expected[step], what);
    check_rates(schedulers.back()->get_last_lr(), expected[step], what);
    CHECK(schedulers.back()->last_epoch() == static_cast<std::int64_t>(step));
  }
}

template <class... Schedulers>
std::vector<std::unique_ptr<ag::optim::LRScheduler>> schedulers(std::unique_ptr<Schedulers>... made) {
  std::vector<std::unique_ptr<ag::optim::LRScheduler>> all;
  (all.push_back(std::move(made)), ...);
  return all;
}

}  // namespace

TEST_CASE("StepLR matches PyTorch's rates", "[nn][optim][scheduler]") {
  // StepLR(optimizer, step_size=3, gamma=0.5)
  check_against_pytorch("step_lr", [](auto& o) { return schedulers(std::make_unique<ag::optim::StepLR>(o, 3, 0.5)); });
}

TEST_CASE("CosineAnnealingLR matches PyTorch's rates, past T_max too", "[nn][optim][scheduler]") {
  // CosineAnnealingLR(optimizer, T_max=10, eta_min=0.001), 25 steps
  check_against_pytorch("cosine_annealing_lr", [](auto& o) {
    return schedulers(std::make_unique<ag::optim::CosineAnnealingLR>(o, 10, 0.001));
  });
}

TEST_CASE("LinearLR warms up as PyTorch's", "[nn][optim][scheduler]") {
  // LinearLR(optimizer, start_factor=0.25, end_factor=1.0, total_iters=4)
  check_against_pytorch("linear_lr",
                        [](auto& o) { return schedulers(std::make_unique<ag::optim::LinearLR>(o, 0.25, 1.0, 4)); });
  // LinearLR(optimizer, start_factor=1.0, end_factor=0.1, total_iters=5)
  check_against_pytorch("linear_lr_decay",
                        [](auto& o) { return schedulers(std::make_unique<ag::optim::LinearLR>(o, 1.0, 0.1, 5)); });
}

TEST_CASE("a warm-up and a cosine stepped together compose as PyTorch's", "[nn][optim][scheduler]") {
  // LinearLR(optimizer, start_factor=0.1, total_iters=3), then CosineAnnealingLR(optimizer, T_max=8), both stepped
  // each epoch. The cosine starts from the rates before the warm-up (PyTorch's initial_lr).
  check_against_pytorch("warmup_then_cosine", [](auto& o) {
    auto warmup = std::make_unique<ag::optim::LinearLR>(o, 0.1, 1.0, 3);
    auto cosine = std::make_unique<ag::optim::CosineAnnealingLR>(o, 8);
    CHECK(cosine->base_lrs() == std::vector<double>{0.1, 0.02});
    return schedulers(std::move(warmup), std::move(cosine));
  });
}

TEST_CASE("ReduceLROnPlateau matches PyTorch's rates", "[nn][optim][scheduler]") {
  using ag::optim::ReduceLROnPlateau, ag::optim::ReduceLROnPlateauOptions, ag::optim::PlateauMode,
      ag::optim::ThresholdMode;
  const auto run = [](const std::string& name, ReduceLROnPlateauOptions options) {
    TwoGroups t;
    ReduceLROnPlateau plateau(t.sgd, options);
    const auto& expected = scheduler_reference::learning_rates().at(name);
    check_rates(plateau.get_last_lr(), expected[0], name);
    for (std::size_t step = 0; step < scheduler_reference::kPlateauMetrics.size(); ++step) {
      plateau.step(scheduler_reference::kPlateauMetrics[step]);
      const std::string what = name + ", step " + std::to_string(step + 1);
      check_rates(t.sgd.learning_rates(), expected[step + 1], what);
      check_rates(plateau.get_last_lr(), expected[step + 1], what);
    }
    CHECK(plateau.last_epoch() == static_cast<std::int64_t>(scheduler_reference::kPlateauMetrics.size()));
  };
  // ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=2, threshold=1e-4, threshold_mode="rel",
  //                   cooldown=1, min_lr=[0.01, 0.005])
  run("plateau_min_rel", ReduceLROnPlateauOptions()
                             .mode(PlateauMode::Min)
                             .factor(0.5)
                             .patience(2)
                             .threshold(1e-4)
                             .threshold_mode(ThresholdMode::Rel)
                             .cooldown(1)
                             .min_lrs({0.01, 0.005}));
  // ReduceLROnPlateau(optimizer, mode="max", factor=0.1, patience=1, threshold=0.05, threshold_mode="abs")
  run("plateau_max_abs", ReduceLROnPlateauOptions()
                             .mode(PlateauMode::Max)
                             .factor(0.1)
                             .patience(1)
                             .threshold(0.05)
                             .threshold_mode(ThresholdMode::Abs));
}

TEST_CASE("ReduceLROnPlateau keeps its best metric and counts bad epochs", "[nn][optim][scheduler]") {
  TwoGroups t;
  ag::optim::ReduceLROnPlateau plateau(t.sgd, ag::optim::ReduceLROnPlateauOptions().patience(1));
  CHECK(plateau.best() == std::numeric_limits<double>::infinity());
  plateau.step(2.0);
  plateau.step(3.0);
  CHECK(plateau.best() == 2.0);
  CHECK(plateau.num_bad_epochs() == 1);
  plateau.step(3.0);  // the second bad epoch is more than the patience: the rates drop tenfold
  CHECK(plateau.num_bad_epochs() == 0);
  CHECK(t.sgd.learning_rate(0) == Approx(0.01));
}

TEST_CASE("schedulers refuse bad settings", "[nn][optim][scheduler][errors]") {
  TwoGroups t;
  using namespace ag::optim;
  CHECK_THROWS_WITH(StepLR(t.sgd, 0), Contains("StepLR: step_size must be positive, got 0"));
  CHECK_THROWS_WITH(StepLR(t.sgd, 2, -0.5), Contains("StepLR: gamma must be non-negative, got -0.5"));
  CHECK_THROWS_WITH(CosineAnnealingLR(t.sgd, 0), Contains("CosineAnnealingLR: T_max must be positive, got 0"));
  CHECK_THROWS_WITH(CosineAnnealingLR(t.sgd, 5, -1.0), Contains("CosineAnnealingLR: eta_min must be non-negative"));
  CHECK_THROWS_WITH(LinearLR(t.sgd, 0.0), Contains("LinearLR: start_factor must lie in (0, 1], got 0"));
  CHECK_THROWS_WITH(LinearLR(t.sgd, 0.5, 1.5), Contains("LinearLR: end_factor must lie in [0, 1], got 1.5"));
  CHECK_THROWS_WITH(LinearLR(t.sgd, 0.5, 1.0, 0), Contains("LinearLR: total_iters must be positive, got 0"));
  CHECK_THROWS_WITH(ReduceLROnPlateau(t.sgd, ReduceLROnPlateauOptions().factor(1.0)),
                    Contains("ReduceLROnPlateau: factor must lie in [0, 1), got 1"));
  CHECK_THROWS_WITH(ReduceLROnPlateau(t.sgd, ReduceLROnPlateauOptions().patience(-1)),
                    Contains("ReduceLROnPlateau: patience must be non-negative, got -1"));
  CHECK_THROWS_WITH(ReduceLROnPlateau(t.sgd, ReduceLROnPlateauOptions().min_lrs({0.1})),
                    Contains("ReduceLROnPlateau: expected 2 min_lrs, one per parameter group of the SGD, got 1"));
  CHECK_THROWS_WITH(ReduceLROnPlateau(t.sgd, ReduceLROnPlateauOptions().min_lr(-1.0)),
                    Contains("ReduceLROnPlateau: min_lr must be non-negative, got -1"));
  // None of the refused schedulers changed the rates.
  CHECK(t.sgd.learning_rates() == std::vector<double>{0.1, 0.02});
}

TEST_CASE("a scheduler refuses to step an optimiser whose groups changed", "[nn][optim][scheduler][errors]") {
  TwoGroups t;
  ag::optim::StepLR step_lr(t.sgd, 1, 0.5);
  ag::optim::ReduceLROnPlateau plateau(t.sgd);
  t.sgd.add_param_group({{ag::zeros({1}, ag::requires_grad())}});
  CHECK_THROWS_WITH(step_lr.step(), Contains("StepLR: the SGD has 3 parameter groups, but had 2 when the scheduler "
                                             "was made; make a new scheduler after add_param_group"));
  CHECK_THROWS_WITH(plateau.step(1.0), Contains("ReduceLROnPlateau: the SGD has 3 parameter groups, but had 2"));
  CHECK(t.sgd.learning_rates() == std::vector<double>{0.1, 0.02, 0.1});
  CHECK(step_lr.last_epoch() == 0);

  // A new scheduler takes the added group's rate as its base.
  ag::optim::StepLR fresh(t.sgd, 1, 0.5);
  CHECK(fresh.base_lrs() == std::vector<double>{0.1, 0.02, 0.1});
  fresh.step();
  CHECK(t.sgd.learning_rates() == std::vector<double>{0.05, 0.01, 0.05});
}
