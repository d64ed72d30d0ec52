#include <nn/nn.hpp>

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include <functional>

using Catch::Contains;

namespace {

// Runs `steps` optimiser steps on loss = sum(p²) / 2, whose gradient is p itself, and returns p after each.
// p starts at [1, -2].
std::vector<std::vector<double>> trajectory(
    const std::function<std::unique_ptr<ag::optim::Optimizer>(ag::Tensor)>& make, int steps = 3) {
  auto p = ag::tensor({1.0, -2.0}, ag::dtype(ag::kFloat64).requires_grad(true));
  auto optimizer = make(p);
  std::vector<std::vector<double>> values;
  for (int i = 0; i < steps; ++i) {
    optimizer->zero_grad();
    (p * p * 0.5).sum().backward();
    optimizer->step();
    values.push_back(p.to_vector());
  }
  return values;
}

std::unique_ptr<ag::optim::Optimizer> sgd(ag::Tensor p, ag::optim::SGDOptions options) {
  return std::make_unique<ag::optim::SGD>(std::vector<ag::Tensor>{p}, options);
}

std::unique_ptr<ag::optim::Optimizer> adam(ag::Tensor p, ag::optim::AdamOptions options) {
  return std::make_unique<ag::optim::Adam>(std::vector<ag::Tensor>{p}, options);
}

// For SGD the update is linear in p, so p[1] is always -2 p[0]; each expected value is p[0].
void check_first_then_doubled(const std::vector<std::vector<double>>& values, const std::vector<double>& expected) {
  REQUIRE(values.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CHECK(values[i][0] == Approx(expected[i]).epsilon(1e-12));
    CHECK(values[i][1] == Approx(-2.0 * expected[i]).epsilon(1e-12));
  }
}

}  // namespace

TEST_CASE("plain SGD steps p -= lr g", "[nn][optim][sgd]") {
  // 1 - 0.1 * 1 = 0.9, then 0.9 * 0.9, then 0.81 * 0.9.
  check_first_then_doubled(trajectory([](auto p) { return sgd(p, ag::optim::SGDOptions(0.1)); }), {0.9, 0.81, 0.729});
}

TEST_CASE("SGD with momentum starts its buffer at the first gradient", "[nn][optim][sgd]") {
  // buf = 1, p = 0.9; buf = 0.9 + 0.9 = 1.8, p = 0.72; buf = 1.62 + 0.72 = 2.34, p = 0.486.
  check_first_then_doubled(trajectory([](auto p) { return sgd(p, ag::optim::SGDOptions(0.1).momentum(0.9)); }),
                           {0.9, 0.72, 0.486});
}

TEST_CASE("SGD with Nesterov momentum steps along g + momentum * buf", "[nn][optim][sgd]") {
  // buf = 1, step 1 + 0.9 = 1.9, p = 0.81; buf = 0.9 + 0.81 = 1.71, step 0.81 + 1.539 = 2.349, p = 0.5751;
  // buf = 1.539 + 0.5751 = 2.1141, step 0.5751 + 1.90269 = 2.47779, p = 0.327321.
  check_first_then_doubled(
      trajectory([](auto p) { return sgd(p, ag::optim::SGDOptions(0.1).momentum(0.9).nesterov(true)); }),
      {0.81, 0.5751, 0.327321});
}

TEST_CASE("SGD with weight decay adds weight_decay * p to the gradient", "[nn][optim][sgd]") {
  // g = p + 0.5 p, so each step multiplies p by 1 - 0.15.
  check_first_then_doubled(trajectory([](auto p) { return sgd(p, ag::optim::SGDOptions(0.1).weight_decay(0.5)); }),
                           {0.85, 0.7225, 0.614125});
}

TEST_CASE("SGD with dampening scales the gradient into the buffer after the first step", "[nn][optim][sgd]") {
  // buf = 1, p = 0.9; buf = 0.9 + 0.5 * 0.9 = 1.35, p = 0.765; buf = 1.215 + 0.3825 = 1.5975, p = 0.60525.
  check_first_then_doubled(
      trajectory([](auto p) { return sgd(p, ag::optim::SGDOptions(0.1).momentum(0.9).dampening(0.5)); }),
      {0.9, 0.765, 0.60525});
}

TEST_CASE("Adam matches PyTorch's bias-corrected update over three steps", "[nn][optim][adam]") {
  // Step 1: m̂ = g and v̂ = g², so p moves by lr * g / (|g| + eps): 1 - 0.1 / (1 + 1e-8) = 0.900000001.
  const auto values = trajectory([](auto p) { return adam(p, ag::optim::AdamOptions(0.1)); });
  const std::vector<std::vector<double>> expected{{0.900000001, -1.9000000005},
                                                  {0.8004122297123382, -1.8001664866210927},
                                                  {0.701586274504415, -1.7006233928121137}};
  for (std::size_t step = 0; step < expected.size(); ++step)
    for (std::size_t i = 0; i < 2; ++i) CHECK(values[step][i] == Approx(expected[step][i]).epsilon(1e-12));
}

TEST_CASE("Adam with weight decay and custom betas matches hand-computed values", "[nn][optim][adam]") {
  const auto values = trajectory(
      [](auto p) { return adam(p, ag::optim::AdamOptions(0.1).betas(0.5, 0.9).eps(1e-3).weight_decay(0.1)); });
  // g = 1.1 p. Step 1: m̂ = 1.1, v̂ = 1.21, p = 1 - 0.1 * 1.1 / (1.1 + 1e-3).
  CHECK(values[0][0] == Approx(1.0 - 0.11 / 1.101).epsilon(1e-12));
  CHECK(values[1][0] == Approx(0.8018013583843611).epsilon(1e-12));
  CHECK(values[2][0] == Approx(0.7062577062519937).epsilon(1e-12));
}

TEST_CASE("optimisers keep per-parameter state and skip parameters without a gradient", "[nn][optim]") {
  auto used = ag::tensor({1.0, 2.0}, ag::dtype(ag::kFloat64).requires_grad(true));
  auto unused = ag::tensor({5.0}, ag::dtype(ag::kFloat64).requires_grad(true));
  ag::optim::SGD sgd({used, unused}, ag::optim::SGDOptions(0.5).momentum(0.9));
  ag::optim::Adam adam({used, unused}, ag::optim::AdamOptions(0.5));
  (used * 3.0).sum().backward();
  sgd.step();
  CHECK(used.to_vector() == std::vector<double>{-0.5, 0.5});
  CHECK(unused.to_vector() == std::vector<double>{5.0});
  CHECK(sgd.state(0, "momentum_buffer").to_vector() == std::vector<double>{3.0, 3.0});
  CHECK_FALSE(sgd.state(1, "momentum_buffer").defined());

  adam.step();
  CHECK(adam.state(0, "step").item() == 1.0);
  CHECK(adam.state(0, "exp_avg").at({0}) == Approx(0.3));
  CHECK(adam.state(0, "exp_avg_sq").at({0}) == Approx(0.009));
  CHECK_FALSE(adam.state(1, "step").defined());
  CHECK(unused.to_vector() == std::vector<double>{5.0});

  sgd.zero_grad();
  CHECK_FALSE(used.grad().defined());
}

TEST_CASE("the learning rate can be read and changed between steps", "[nn][optim]") {
  auto p = ag::tensor({1.0}, ag::dtype(ag::kFloat64).requires_grad(true));
  ag::optim::SGD sgd({p}, ag::optim::SGDOptions(0.1));
  CHECK(sgd.learning_rate() == 0.1);
  sgd.set_learning_rate(0.5);
  CHECK(sgd.options().lr() == 0.5);
  (p * 2.0).sum().backward();
  sgd.step();
  CHECK(p.item() == Approx(0.0));

  ag::optim::Adam adam({p});
  CHECK(adam.learning_rate() == 1e-3);
  adam.set_learning_rate(0.01);
  CHECK(adam.options().lr() == 0.01);
  CHECK_THROWS_WITH(adam.set_learning_rate(-1.0), Contains("Adam") && Contains("-1"));
}

TEST_CASE("an optimiser trains a model's parameters", "[nn][optim]") {
  ag::manual_seed(4);
  auto model = std::make_shared<ag::nn::Linear>(1, 1, ag::nn::LinearOptions().dtype(ag::kFloat64));
  ag::optim::SGD sgd(model->parameters(), ag::optim::SGDOptions(0.1).momentum(0.5));
  const auto x = ag::tensor({{-1.0}, {0.0}, {1.0}, {2.0}}, ag::kFloat64);
  const auto y = x * 3.0 + 1.0;
  for (int i = 0; i < 200; ++i) {
    sgd.zero_grad();
    ag::nn::functional::mse_loss((*model)(x), y).backward();
    sgd.step();
  }
  CHECK(model->weight.item() == Approx(3.0).epsilon(1e-6));
  CHECK(model->bias.item() == Approx(1.0).epsilon(1e-6));
}

TEST_CASE("optimiser steps after backward pass the version check; a step between two backwards does not",
          "[nn][optim][inplace]") {
  ag::manual_seed(4);
  auto model = std::make_shared<ag::nn::Sequential>(
      std::make_shared<ag::nn::Linear>(3, 4), std::make_shared<ag::nn::Tanh>(), std::make_shared<ag::nn::Linear>(4, 1));
  ag::optim::SGD sgd(model->parameters(), ag::optim::SGDOptions(0.1).momentum(0.9));
  ag::optim::Adam adam(model->parameters(), ag::optim::AdamOptions(0.01));
  const auto x = ag::randn({8, 3});
  for (ag::optim::Optimizer* optimizer :
       {static_cast<ag::optim::Optimizer*>(&sgd), static_cast<ag::optim::Optimizer*>(&adam)})
    for (int i = 0; i < 3; ++i) {
      optimizer->zero_grad();
      CHECK_NOTHROW((*model)(x).pow(2).mean().backward());
      optimizer->step();
    }

  // As in PyTorch: the retained graph saved the weights that the step then changed.
  auto loss = (*model)(x).pow(2).mean();
  loss.backward(ag::Tensor(), /*retain_graph=*/true);
  sgd.step();
  CHECK_THROWS_WITH(loss.backward(),
                    Contains("linear backward: input 1 (shape [1, 4]) was modified in place after the forward"));
}

TEST_CASE("optimisers refuse bad settings and parameter lists", "[nn][optim][errors]") {
  auto p = ag::ones({1}, ag::requires_grad());
  CHECK_THROWS_WITH(ag::optim::SGD(std::vector<ag::Tensor>{}, ag::optim::SGDOptions(0.1)),
                    Contains("SGD: got an empty parameter list"));
  CHECK_THROWS_WITH(ag::optim::SGD({p * 2.0}, ag::optim::SGDOptions(0.1)), Contains("leaf") && Contains("mul"));
  CHECK_THROWS_WITH(ag::optim::SGD({p}, ag::optim::SGDOptions(-0.1)), Contains("learning rate"));
  CHECK_THROWS_WITH(ag::optim::SGD({p}, ag::optim::SGDOptions(0.1).nesterov(true)),
                    Contains("nesterov") && Contains("momentum"));
  CHECK_THROWS_WITH(ag::optim::Adam({p}, ag::optim::AdamOptions().betas(0.9, 1.0)),
                    Contains("Adam: betas must lie in [0, 1), got (0.9, 1)"));
  CHECK_THROWS_WITH(ag::optim::Adam({p}, ag::optim::AdamOptions().betas(-0.5, 0.9)),
                    Contains("Adam: betas must lie in [0, 1), got (-0.5, 0.9)"));
  CHECK_THROWS_WITH(ag::optim::Adam({p}, ag::optim::AdamOptions(-1e-3)),
                    Contains("Adam: the learning rate must be non-negative, got -0.001"));
}

TEST_CASE("an optimiser's state is read by parameter and name", "[nn][optim][errors]") {
  auto p = ag::ones({1}, ag::requires_grad());
  ag::optim::Adam adam({p});
  CHECK_THROWS_WITH(adam.state(0, "momentum_buffer"),
                    Contains("Adam: there is no state named 'momentum_buffer' (its state: exp_avg, exp_avg_sq, step)"));
  CHECK_THROWS_WITH(adam.state(1, "step"), Contains("Adam: state: there is no parameter 1 (this Adam has 1)"));
  ag::optim::SGD sgd({p}, ag::optim::SGDOptions(0.1));
  CHECK_THROWS_WITH(sgd.state(0, "step"), Contains("SGD: there is no state named 'step' (its state: momentum_buffer)"));
}

namespace {

// The smallest optimiser on the base: sign descent, p -= lr * sign(g), counting its steps. Its options, state and
// rule are all it writes; state dicts, checks and the learning rate come from OptimizerWithOptions.
class SignOptions {
 public:
  explicit SignOptions(double lr) : lr_(lr) {}
  AG_ARG(double, lr);

 public:
  ag::optim::Hyperparameters hyperparameters() const { return {{"lr", lr()}}; }
  static SignOptions from_hyperparameters(const ag::optim::Hyperparameters& values, std::string_view) {
    return SignOptions(ag::optim::hyperparameter(values, "lr"));
  }
  void check(std::string_view context) const {
    if (!(lr() > 0.0)) ag::fail("{}: lr must be positive", context);
  }
};

class SignDescent : public ag::optim::OptimizerWithOptions<SignOptions> {
 public:
  SignDescent(std::vector<ag::Tensor> parameters, SignOptions options)
      : OptimizerWithOptions("SignDescent", std::move(parameters), {{"last_sign"}, {"steps"}}, options) {}

 protected:
  void update(ag::Tensor parameter, ag::Tensor gradient, ParameterState& state) override {
    ag::Tensor& steps = state["steps"];
    if (!steps.defined()) steps = ag::scalar(0.0, ag::kFloat64);
    steps.fill_(steps.item() + 1.0);
    state["last_sign"] = (gradient > 0.0).to(parameter.dtype()) - (gradient < 0.0).to(parameter.dtype());
    parameter.add_(state["last_sign"], -options().lr());
  }
};

}  // namespace

TEST_CASE("a new optimiser is its options, its state's names and its update rule", "[nn][optim]") {
  auto p = ag::tensor({1.0, -2.0, 0.0}, ag::dtype(ag::kFloat64).requires_grad(true));
  SignDescent sign({p}, SignOptions(0.5));
  (p * p).sum().backward();
  sign.step();
  CHECK(p.to_vector() == std::vector<double>{0.5, -1.5, 0.0});
  CHECK(sign.state(0, "steps").item() == 1.0);

  std::vector<std::string> names;
  for (const auto& [name, _] : sign.state_dict()) names.push_back(name);
  CHECK(names == std::vector<std::string>{"lr", "parameter_count", "state.0.last_sign", "state.0.steps"});

  SignDescent restored({p}, SignOptions(1.0));
  restored.load_state_dict(sign.state_dict());
  CHECK(restored.learning_rate() == 0.5);
  CHECK(restored.state(0, "last_sign").to_vector() == std::vector<double>{1.0, -1.0, 0.0});
  CHECK_THROWS_WITH(restored.set_learning_rate(0.0), Contains("SignDescent: lr must be positive"));
  CHECK(restored.learning_rate() == 0.5);
}

namespace {

// p and q, two parameters of two float64 values, with gradient [1, 1] each after one backward.
struct TwoParameters {
  ag::Tensor p = ag::tensor({1.0, 2.0}, ag::dtype(ag::kFloat64).requires_grad(true));
  ag::Tensor q = ag::tensor({3.0, 4.0}, ag::dtype(ag::kFloat64).requires_grad(true));
  void backward() const { (p.sum() + q.sum()).backward(); }
};

}  // namespace

TEST_CASE("parameter groups step with their own learning rates", "[nn][optim][groups]") {
  TwoParameters t;
  using ag::optim::SGD, ag::optim::SGDOptions;
  SGD sgd({{{t.p}}, {{t.q}, SGDOptions(0.5)}}, SGDOptions(0.1));
  CHECK(sgd.param_group_count() == 2);
  CHECK(sgd.learning_rates() == std::vector<double>{0.1, 0.5});
  CHECK(sgd.learning_rate(1) == 0.5);
  CHECK(sgd.options(1).lr() == 0.5);
  CHECK(sgd.defaults().lr() == 0.1);
  CHECK(sgd.parameters().size() == 2);
  CHECK(sgd.group_parameters(1).at(0).is_same(t.q));
  t.backward();
  sgd.step();
  CHECK(t.p.to_vector() == std::vector<double>{0.9, 1.9});
  CHECK(t.q.to_vector() == std::vector<double>{2.5, 3.5});

  sgd.set_learning_rates({1.0, 2.0});
  sgd.step();
  CHECK(t.p.at({0}) == Approx(-0.1));
  CHECK(t.p.at({1}) == Approx(0.9));
  CHECK(t.q.to_vector() == std::vector<double>{0.5, 1.5});
  sgd.set_learning_rate(0.25);  // every group
  CHECK(sgd.learning_rates() == std::vector<double>{0.25, 0.25});

  CHECK_THROWS_WITH(sgd.set_learning_rates({0.1, -0.1}),
                    Contains("SGD: group 1: the learning rate must be non-negative, got -0.1"));
  CHECK_THROWS_WITH(sgd.set_learning_rates({0.1}), Contains("SGD: got 1 learning rates for 2 parameter groups"));
  CHECK(sgd.learning_rates() == std::vector<double>{0.25, 0.25});
  CHECK_THROWS_WITH(sgd.learning_rate(2), Contains("SGD: there is no parameter group 2 (this SGD has 2)"));
  CHECK_THROWS_WITH(sgd.options(5), Contains("SGD: there is no parameter group 5"));
}

TEST_CASE("add_param_group adds a group with its own options or the defaults", "[nn][optim][groups]") {
  TwoParameters t;
  ag::optim::Adam adam({t.p}, ag::optim::AdamOptions(0.01));
  adam.add_param_group({{t.q}, ag::optim::AdamOptions(0.2).weight_decay(0.1)});
  CHECK(adam.param_group_count() == 2);
  CHECK(adam.options(1).weight_decay() == 0.1);
  auto r = ag::ones({1}, ag::requires_grad());
  adam.add_param_group({{r}});
  CHECK(adam.options(2).lr() == 0.01);
  t.backward();
  adam.step();
  // The first Adam step moves each element by lr (the gradients are ±1): 0.01 for p, 0.2 for q.
  CHECK(t.p.at({0}) == Approx(0.99).epsilon(1e-9));
  CHECK(t.q.at({0}) == Approx(3.0 - 0.2).epsilon(1e-6));

  CHECK_THROWS_WITH(adam.add_param_group({{t.p}}),
                    Contains("Adam: group 3: parameter 0 (shape [2]) is already in an earlier parameter group"));
  CHECK_THROWS_WITH(adam.add_param_group({{ag::ones({1})}, ag::optim::AdamOptions(-1.0)}),
                    Contains("Adam: the learning rate must be non-negative, got -1"));
  CHECK(adam.param_group_count() == 3);
  using ag::optim::SGD, ag::optim::SGDOptions;
  CHECK_THROWS_WITH(SGD({{{t.p}}, {{t.q}, SGDOptions(0.1).nesterov(true)}}, SGDOptions(0.1)),
                    Contains("SGD: nesterov needs a positive momentum"));
  CHECK_THROWS_WITH(SGD({{{t.p}}, {{t.q, t.p}}}, SGDOptions(0.1)),
                    Contains("SGD: group 1: parameter 1 (shape [2]) is already in an earlier parameter group"));
  CHECK_THROWS_WITH(SGD(std::vector<ag::Tensor>{t.p, t.q, t.p}, SGDOptions(0.1)),
                    Contains("SGD: parameter 2 (shape [2]) is given twice; each step would update it twice"));
  CHECK_THROWS_WITH(SGD({{{t.p}}, {{t.q, t.q}}}, SGDOptions(0.1)),
                    Contains("SGD: parameter 1 of group 1 (shape [2]) is given twice"));
}

TEST_CASE("a state dict of several groups names each group's settings and loads back", "[nn][optim][groups]") {
  TwoParameters t;
  using ag::optim::SGD, ag::optim::SGDOptions;
  SGD sgd({{{t.p}}, {{t.q}, SGDOptions(0.5).momentum(0.9)}}, SGDOptions(0.1).momentum(0.5));
  t.backward();
  sgd.step();
  const auto state = sgd.state_dict();
  std::vector<std::string> names;
  for (const auto& [name, _] : state) names.push_back(name);
  CHECK(names == std::vector<std::string>{
                     "param_group_count", "param_groups.0.lr", "param_groups.0.momentum", "param_groups.0.dampening",
                     "param_groups.0.nesterov", "param_groups.0.weight_decay", "param_groups.0.parameter_count",
                     "param_groups.1.lr", "param_groups.1.momentum", "param_groups.1.dampening",
                     "param_groups.1.nesterov", "param_groups.1.weight_decay", "param_groups.1.parameter_count",
                     "state.0.momentum_buffer", "state.1.momentum_buffer"});

  TwoParameters u;
  SGD restored(std::vector<SGD::ParamGroup>{{{u.p}}, {{u.q}}}, SGDOptions(1.0));
  restored.load_state_dict(state);
  CHECK(restored.learning_rates() == std::vector<double>{0.1, 0.5});
  CHECK(restored.options(1).momentum() == 0.9);
  CHECK(restored.state(1, "momentum_buffer").to_vector() == std::vector<double>{1.0, 1.0});

  // A state of one group (the format before groups) does not fit two, nor two one.
  SGD single({u.p, u.q}, SGDOptions(0.1));
  CHECK_THROWS_WITH(restored.load_state_dict(single.state_dict(), "s"),
                    Contains("s: the state is of a SGD with one parameter group (it has no 'param_group_count' "
                             "entry), but this SGD has 2"));
  CHECK_THROWS_WITH(single.load_state_dict(state, "s"),
                    Contains("s: the state is of 2 parameter groups, but this SGD has 1"));
  SGD other_split({{{u.p, u.q}}, {std::vector<ag::Tensor>{}}}, SGDOptions(0.1));
  CHECK_THROWS_WITH(other_split.load_state_dict(state, "s"),
                    Contains("s: parameter group 0 of the state has 1 parameters, but this SGD's has 2"));
  auto bad = state;
  bad[7].second = ag::scalar(-1.0, ag::kFloat64);
  CHECK_THROWS_WITH(restored.load_state_dict(bad, "s"),
                    Contains("s: SGD: group 1: the learning rate must be non-negative, got -1"));
  bad = state;
  bad.erase(bad.begin() + 8);
  CHECK_THROWS_WITH(restored.load_state_dict(bad, "s"), Contains("s: missing entry 'param_groups.1.momentum'"));
  bad = state;
  bad.emplace_back("param_groups.2.lr", ag::scalar(0.1, ag::kFloat64));
  CHECK_THROWS_WITH(restored.load_state_dict(bad, "s"),
                    Contains("s: entry 'param_groups.2.lr' is for parameter group 2, but this SGD has 2 groups"));
  bad = state;
  bad.emplace_back("lr", ag::scalar(0.1, ag::kFloat64));
  CHECK_THROWS_WITH(restored.load_state_dict(bad, "s"),
                    Contains("s: unexpected entry 'lr': not the state of SGD, whose entries are param_group_count, "
                             "param_groups.<g>.lr"));
  CHECK(restored.learning_rates() == std::vector<double>{0.1, 0.5});
}

TEST_CASE("float32 parameters step as float64 ones do", "[nn][optim]") {
  // The fused loops run in the parameter's own type; float32 must follow float64 to float precision.
  using Make = std::function<std::unique_ptr<ag::optim::Optimizer>(ag::Tensor)>;
  const std::vector<std::pair<std::string, Make>> optimizers{
      {"sgd", [](auto p) { return sgd(p, ag::optim::SGDOptions(0.1).momentum(0.9).nesterov(true).weight_decay(0.1)); }},
      {"adam", [](auto p) { return adam(p, ag::optim::AdamOptions(0.1).weight_decay(0.1)); }},
      {"adamw",
       [](auto p) {
         return std::make_unique<ag::optim::AdamW>(std::vector<ag::Tensor>{p},
                                                   ag::optim::AdamWOptions(0.1).amsgrad(true));
       }},
      {"rmsprop", [](auto p) {
         return std::make_unique<ag::optim::RMSprop>(std::vector<ag::Tensor>{p},
                                                     ag::optim::RMSpropOptions(0.01).momentum(0.5).centered(true));
       }}};
  for (const auto& [name, make] : optimizers) {
    std::vector<std::vector<double>> values;
    for (ag::DType dtype : {ag::kFloat64, ag::kFloat32}) {
      // 37 elements, so that the vectorised loops have a remainder.
      auto p = ag::arange(-18, 19, 1.0, ag::dtype(dtype)).mul_(0.1).requires_grad_(true);
      auto optimizer = make(p);
      for (int step = 0; step < 4; ++step) {
        optimizer->zero_grad();
        (p * p * p).sum().backward();
        optimizer->step();
      }
      values.push_back(p.to_vector());
    }
    INFO(name);
    for (std::size_t i = 0; i < values[0].size(); ++i) CHECK(values[1][i] == Approx(values[0][i]).margin(1e-5));
  }
}
