// The two-moons example: both variants reach 100% training accuracy, in lockstep.

#include <catch2/catch.hpp>

#include "gradcheck_matcher.hpp"
#include "moons/moons.hpp"

TEST_CASE("make_moons is seeded and labels the two half circles -1 and +1", "[examples][moons]") {
  const auto first = moons::make_moons(100, 0.1, 3);
  const auto second = moons::make_moons(100, 0.1, 3);
  CHECK(first.points.shape() == ag::Shape{100, 2});
  CHECK(first.points.to_vector() == second.points.to_vector());
  CHECK(first.labels.sum().item() == 0.0);
}

TEST_CASE("the user-defined relu op passes gradcheck and gradgradcheck", "[examples][moons]") {
  const auto x = ag::tensor({-1.5, -0.3, 0.4, 2.0}, ag::kFloat64);
  const auto f = [](const auto& in) { return moons::user_relu(in[0]) * in[0]; };
  CHECK_THAT(ag::gradcheck(f, {x}), PassesGradcheck());
  CHECK_THAT(ag::gradgradcheck(f, {x}), PassesGradcheck());
}

TEST_CASE("tensor and scalar MLPs train in lockstep to 100% training accuracy", "[examples][moons]") {
  constexpr std::int64_t kSchedule = 100;
  constexpr std::int64_t kSteps = 40;  // both are at 100% well before this
  const auto data = moons::make_moons(100, 0.1, 1);
  moons::TensorMLP tensor_model;
  moons::ScalarMLP scalar_model(tensor_model);
  ag::optim::SGD tensor_sgd(tensor_model.parameters(), ag::optim::SGDOptions(1.0));
  moons::StepResult tensor_step{}, scalar_step{};
  for (std::int64_t step = 0; step < kSteps; ++step) {
    const double lr = moons::learning_rate_at(step, kSchedule);
    tensor_step = moons::train_step(tensor_model, tensor_sgd, data, lr);
    scalar_step = moons::train_step(scalar_model, data, lr);
    REQUIRE(scalar_step.loss == Approx(tensor_step.loss).epsilon(1e-9));
  }
  CHECK(tensor_step.accuracy == 1.0);
  CHECK(scalar_step.accuracy == 1.0);
}

TEST_CASE("the tensor MLP's step replayed from a trace gives bitwise the parameters of eager steps",
          "[examples][moons][trace]") {
  constexpr std::int64_t kSteps = 40;
  const auto data = moons::make_moons(100, 0.1, 1);
  moons::TensorMLP eager_model;
  moons::TensorMLP replayed_model;
  replayed_model.load_state_dict(eager_model.state_dict());
  ag::optim::SGD eager_sgd(eager_model.parameters(), ag::optim::SGDOptions(1.0));
  ag::optim::SGD replayed_sgd(replayed_model.parameters(), ag::optim::SGDOptions(1.0));
  moons::ReplayedStep replayed_step(replayed_model, replayed_sgd);
  for (std::int64_t step = 0; step < kSteps; ++step) {
    const double lr = moons::learning_rate_at(step, kSteps);  // changes every step: the replay reads it anew
    const moons::StepResult eager = moons::train_step(eager_model, eager_sgd, data, lr);
    const moons::StepResult replayed = replayed_step(data, lr);
    REQUIRE(replayed.loss == eager.loss);
    REQUIRE(replayed.accuracy == eager.accuracy);
  }
  const auto eager_parameters = eager_model.parameters();
  const auto replayed_parameters = replayed_model.parameters();
  for (std::size_t i = 0; i < eager_parameters.size(); ++i)
    CHECK(replayed_parameters[i].to_vector() == eager_parameters[i].to_vector());
}
