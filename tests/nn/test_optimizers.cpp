// AdamW, RMSprop and parameter groups against PyTorch: the parameters after each of five steps from fixed
// parameters and gradients, as tests/nn/reference/make_optim_reference.py recorded them with torch.optim.

#include <nn/nn.hpp>

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "reference/optim_reference.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

using Catch::Contains;

namespace {

using MakeOptimizer = std::function<std::unique_ptr<ag::optim::Optimizer>(const std::vector<ag::Tensor>&)>;

// Runs the reference's steps with `make`'s optimiser over `parameter_count` parameters ([2, 3], the second starting
// at minus the first and getting minus its gradient) and checks the values after each step against case `name`.
void check_against_pytorch(const std::string& name, const MakeOptimizer& make, int parameter_count = 1) {
  const auto float64 = ag::dtype(ag::kFloat64);
  std::vector<ag::Tensor> parameters;
  for (int i = 0; i < parameter_count; ++i)
    parameters.push_back((ag::from_vector(optim_reference::kInitial, {2, 3}, float64) * (i == 0 ? 1.0 : -1.0))
                             .detach()
                             .requires_grad_(true));
  auto optimizer = make(parameters);
  const auto& expected = optim_reference::trajectories().at(name);
  REQUIRE(expected.size() == optim_reference::kGradients.size());
  for (std::size_t step = 0; step < expected.size(); ++step) {
    optimizer->zero_grad();
    const ag::Tensor gradient = ag::from_vector(optim_reference::kGradients[step], {2, 3}, float64);
    ag::Tensor loss = (parameters[0] * gradient).sum();
    if (parameter_count == 2) loss = loss - (parameters[1] * gradient).sum();
    loss.backward();
    optimizer->step();
    std::vector<double> values;
    for (const ag::Tensor& parameter : parameters)
      for (double value : parameter.to_vector()) values.push_back(value);
    INFO(name << ", step " << step + 1);
    REQUIRE(values.size() == expected[step].size());
    for (std::size_t i = 0; i < values.size(); ++i) CHECK(values[i] == Approx(expected[step][i]).epsilon(1e-12));
  }
}

}  // namespace

TEST_CASE("AdamW matches PyTorch with its defaults", "[nn][optim][adamw]") {
  // torch.optim.AdamW(p): lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 1e-2.
  check_against_pytorch("adamw_defaults", [](const auto& p) { return std::make_unique<ag::optim::AdamW>(p); });
  const ag::optim::AdamWOptions defaults;
  CHECK(defaults.lr() == 1e-3);
  CHECK(defaults.beta1() == 0.9);
  CHECK(defaults.beta2() == 0.999);
  CHECK(defaults.eps() == 1e-8);
  CHECK(defaults.weight_decay() == 1e-2);
  CHECK_FALSE(defaults.amsgrad());
}

TEST_CASE("AdamW with AMSGrad matches PyTorch", "[nn][optim][adamw]") {
  // torch.optim.AdamW(p, lr=0.05, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.1, amsgrad=True).
  check_against_pytorch("adamw_amsgrad", [](const auto& p) {
    return std::make_unique<ag::optim::AdamW>(
        p, ag::optim::AdamWOptions(0.05).betas(0.8, 0.95).eps(1e-6).weight_decay(0.1).amsgrad(true));
  });
}

TEST_CASE("RMSprop matches PyTorch with its defaults", "[nn][optim][rmsprop]") {
  // torch.optim.RMSprop(p): lr 1e-2, alpha 0.99, eps 1e-8, no weight decay or momentum, not centered.
  check_against_pytorch("rmsprop_defaults", [](const auto& p) { return std::make_unique<ag::optim::RMSprop>(p); });
}

TEST_CASE("RMSprop with momentum matches PyTorch", "[nn][optim][rmsprop]") {
  // torch.optim.RMSprop(p, lr=0.01, alpha=0.9, momentum=0.5).
  check_against_pytorch("rmsprop_momentum", [](const auto& p) {
    return std::make_unique<ag::optim::RMSprop>(p, ag::optim::RMSpropOptions(0.01).alpha(0.9).momentum(0.5));
  });
}

TEST_CASE("centered RMSprop with momentum and weight decay matches PyTorch", "[nn][optim][rmsprop]") {
  // torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.05, momentum=0.9, centered=True).
  check_against_pytorch("rmsprop_centered", [](const auto& p) {
    return std::make_unique<ag::optim::RMSprop>(
        p, ag::optim::RMSpropOptions(0.01).alpha(0.9).eps(1e-6).weight_decay(0.05).momentum(0.9).centered(true));
  });
}

TEST_CASE("SGD parameter groups with their own settings match PyTorch", "[nn][optim][groups]") {
  // torch.optim.SGD([{"params": [p0]}, {"params": [p1], "lr": 0.01, "weight_decay": 0.1, "nesterov": True}],
  //                 lr=0.1, momentum=0.9)
  check_against_pytorch(
      "sgd_groups",
      [](const auto& p) {
        using ag::optim::SGD, ag::optim::SGDOptions;
        return std::make_unique<SGD>(
            std::vector<SGD::ParamGroup>{{{p[0]}},
                                         {{p[1]}, SGDOptions(0.01).momentum(0.9).weight_decay(0.1).nesterov(true)}},
            SGDOptions(0.1).momentum(0.9));
      },
      2);
}

TEST_CASE("Adam parameter groups with their own settings match PyTorch", "[nn][optim][groups]") {
  // torch.optim.Adam([{"params": [p0], "lr": 0.1}, {"params": [p1], "weight_decay": 0.1}], lr=0.01)
  check_against_pytorch(
      "adam_groups",
      [](const auto& p) {
        using ag::optim::Adam, ag::optim::AdamOptions;
        return std::make_unique<Adam>(
            std::vector<Adam::ParamGroup>{{{p[0]}, AdamOptions(0.1)}, {{p[1]}, AdamOptions(0.01).weight_decay(0.1)}},
            AdamOptions(0.01));
      },
      2);
}

TEST_CASE("AdamW parameter groups, one with AMSGrad, match PyTorch", "[nn][optim][groups][adamw]") {
  // torch.optim.AdamW([{"params": [p0]}, {"params": [p1], "lr": 0.02, "amsgrad": True}], lr=0.05)
  check_against_pytorch(
      "adamw_groups",
      [](const auto& p) {
        using ag::optim::AdamW, ag::optim::AdamWOptions;
        return std::make_unique<AdamW>(
            std::vector<AdamW::ParamGroup>{{{p[0]}}, {{p[1]}, AdamWOptions(0.02).amsgrad(true)}}, AdamWOptions(0.05));
      },
      2);
}

TEST_CASE("AdamW and RMSprop keep only the state their settings use", "[nn][optim][adamw][rmsprop]") {
  auto p = ag::tensor({1.0, -2.0}, ag::dtype(ag::kFloat64).requires_grad(true));
  auto q = ag::tensor({3.0}, ag::dtype(ag::kFloat64).requires_grad(true));
  ag::optim::AdamW adamw({{{p}}, {{q}, ag::optim::AdamWOptions().amsgrad(true)}});
  ag::optim::RMSprop rmsprop({p}, ag::optim::RMSpropOptions().momentum(0.9));
  (p * p + q.sum()).sum().backward();
  adamw.step();
  rmsprop.step();
  CHECK_FALSE(adamw.state(0, "max_exp_avg_sq").defined());
  CHECK(adamw.state(1, "max_exp_avg_sq").defined());
  CHECK(rmsprop.state(0, "momentum_buffer").defined());
  CHECK_FALSE(rmsprop.state(0, "grad_avg").defined());
  CHECK(rmsprop.state(0, "step").item() == 1.0);

  // A saved state round-trips; one with AMSGrad's maximum where amsgrad is off is refused.
  ag::optim::AdamW restored({{{p}}, {{q}, ag::optim::AdamWOptions().amsgrad(true)}});
  restored.load_state_dict(adamw.state_dict());
  CHECK(restored.state(1, "max_exp_avg_sq").to_vector() == adamw.state(1, "max_exp_avg_sq").to_vector());
  auto state = adamw.state_dict();
  state.emplace_back("state.0.max_exp_avg_sq", ag::zeros({2}, ag::kFloat64));
  CHECK_THROWS_WITH(restored.load_state_dict(state, "s"),
                    Contains("s: AdamW: parameter 0 keeps no 'max_exp_avg_sq' with its group's settings"));
  state = adamw.state_dict();
  std::erase_if(state, [](const auto& entry) { return entry.first == "state.1.max_exp_avg_sq"; });
  CHECK_THROWS_WITH(restored.load_state_dict(state, "s"),
                    Contains("s: AdamW: parameter 1 needs all of state.1.exp_avg, state.1.exp_avg_sq, "
                             "state.1.max_exp_avg_sq, state.1.step or none, got 3 of them"));
}

TEST_CASE("AdamW and RMSprop refuse bad settings", "[nn][optim][errors]") {
  auto p = ag::ones({1}, ag::requires_grad());
  CHECK_THROWS_WITH(ag::optim::AdamW({p}, ag::optim::AdamWOptions(-1e-3)),
                    Contains("AdamW: the learning rate must be non-negative, got -0.001"));
  CHECK_THROWS_WITH(ag::optim::AdamW({p}, ag::optim::AdamWOptions().betas(-0.1, 0.999)),
                    Contains("AdamW: betas must lie in [0, 1), got (-0.1, 0.999)"));
  CHECK_THROWS_WITH(ag::optim::AdamW({p}, ag::optim::AdamWOptions().betas(0.9, 1.0)),
                    Contains("AdamW: betas must lie in [0, 1), got (0.9, 1)"));
  CHECK_THROWS_WITH(ag::optim::AdamW({p}, ag::optim::AdamWOptions().weight_decay(-0.1)),
                    Contains("AdamW: weight_decay must be non-negative"));
  CHECK_THROWS_WITH(ag::optim::RMSprop({p}, ag::optim::RMSpropOptions(-0.01)),
                    Contains("RMSprop: the learning rate must be non-negative, got -0.01"));
  CHECK_THROWS_WITH(ag::optim::RMSprop({p}, ag::optim::RMSpropOptions().alpha(-0.5)),
                    Contains("RMSprop: alpha must be non-negative, got -0.5"));
  CHECK_THROWS_WITH(ag::optim::RMSprop({p}, ag::optim::RMSpropOptions().momentum(-0.5)),
                    Contains("RMSprop: momentum must be non-negative, got -0.5"));
  CHECK_THROWS_WITH(ag::optim::RMSprop({p}, ag::optim::RMSpropOptions().eps(-1.0)),
                    Contains("RMSprop: eps must be non-negative, got -1"));
}
