#include <nn/nn.hpp>

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"

#include <array>
#include <functional>

// A gradient penalty puts the norm of d(output)/d(input) into the loss (as in WGAN-GP and input-gradient
// regularisation): training then differentiates a gradient, through create_graph.

namespace {
namespace F = ag::nn::functional;

// The model's output and the mean over samples of |d output / d input|², differentiable in the parameters.
struct Penalized {
  ag::Tensor output;
  ag::Tensor penalty;
};

Penalized with_penalty(const std::function<ag::Tensor(const ag::Tensor&)>& model, const ag::Tensor& inputs) {
  ag::AutoGradMode enabled(true);  // the penalty needs a graph, also where it is only evaluated (gradcheck)
  const ag::Tensor x = inputs.detach().requires_grad_();
  const ag::Tensor output = model(x);
  const ag::Tensor dx = ag::grad({ag::sum(output)}, {x}, {.create_graph = true})[0];
  return {output, ag::mean(ag::sum(dx * dx, {1}))};
}

ag::Tensor data_inputs() { return ag::tensor({{0.5, -1.0}, {1.5, 0.25}, {-0.75, 2.0}, {0.1, 0.3}}, ag::kFloat64); }
ag::Tensor data_targets() { return ag::tensor({{1.0}, {-0.5}, {0.25}, {0.0}}, ag::kFloat64); }
}  // namespace

TEST_CASE("a gradient-penalised loss has the gradient finite differences give", "[nn][higher_order][gradcheck]") {
  ag::manual_seed(11);
  const auto loss = [](const std::vector<ag::Tensor>& p) {
    const auto model = [&](const ag::Tensor& x) { return F::linear(ag::tanh(F::linear(x, p[0], p[1])), p[2], p[3]); };
    const auto [output, penalty] = with_penalty(model, data_inputs());
    return F::mse_loss(output, data_targets()) + 0.5 * penalty;
  };
  const std::vector<ag::Tensor> params = {ag::randn({3, 2}, ag::kFloat64), ag::randn({3}, ag::kFloat64),
                                          ag::randn({1, 3}, ag::kFloat64), ag::randn({1}, ag::kFloat64)};
  CHECK_THAT(ag::gradcheck(loss, params), PassesGradcheck());
}

TEST_CASE("training with a gradient penalty flattens the model in its input", "[nn][higher_order]") {
  const ag::Tensor inputs = ag::randn({32, 2});
  const ag::Tensor targets = (inputs.narrow(1, 0, 1) * inputs.narrow(1, 1, 1)).detach();
  // Trains the same initial model with and without the penalty; returns the final penalty and loss.
  const auto train = [&](double weight) {
    ag::manual_seed(3);
    ag::nn::Sequential model(std::make_shared<ag::nn::Linear>(2, 16), std::make_shared<ag::nn::Tanh>(),
                             std::make_shared<ag::nn::Linear>(16, 1));
    ag::optim::Adam optimizer(model.parameters(), ag::optim::AdamOptions(0.02));
    double first_loss = 0.0;
    for (int step = 0; step < 150; ++step) {
      const auto [output, penalty] = with_penalty([&](const ag::Tensor& x) { return model(x); }, inputs);
      const ag::Tensor mse = F::mse_loss(output, targets);
      if (step == 0) first_loss = mse.item();
      optimizer.zero_grad();
      (mse + weight * penalty).backward();
      optimizer.step();
    }
    const auto [output, penalty] = with_penalty([&](const ag::Tensor& x) { return model(x); }, inputs);
    return std::array{penalty.item(), F::mse_loss(output, targets).item(), first_loss};
  };
  const auto plain = train(0.0);
  const auto penalized = train(1.0);
  INFO("penalty without / with: " << plain[0] << " / " << penalized[0] << "; loss " << plain[1] << " / "
                                  << penalized[1]);
  CHECK(plain[1] < 0.5 * plain[2]);  // both runs learn
  CHECK(penalized[1] < penalized[2]);
  CHECK(penalized[0] < 0.5 * plain[0]);  // and the penalty does its job
}
