// Traced training steps (autograd/trace.hpp) with each optimiser: replays of zero_grad, forward, backward and step
// give bitwise the parameters and optimiser state of eager steps, read the learning rate a scheduler set between
// replays, and refuse to run once their optimiser is gone.

#include <nn/nn.hpp>

#include <autograd/autograd.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

using Catch::Contains;

namespace {

using MakeOptimizer = std::function<std::unique_ptr<ag::optim::Optimizer>(std::vector<ag::Tensor>)>;

// Linear, relu, Linear: the same initial values for every model made with the same seed.
class TinyMlp : public ag::nn::Module {
 public:
  explicit TinyMlp(std::uint64_t seed) {
    ag::manual_seed(seed);
    hidden_ = register_module("hidden", std::make_shared<ag::nn::Linear>(3, 5));
    output_ = register_module("output", std::make_shared<ag::nn::Linear>(5, 2));
  }
  ag::Tensor forward(const ag::Tensor& x) { return output_->forward(ag::relu(hidden_->forward(x))); }

 private:
  std::shared_ptr<ag::nn::Linear> hidden_, output_;
};

struct Batch {
  ag::Tensor x, y;
};

std::vector<Batch> batches(int count) {
  ag::manual_seed(99);
  std::vector<Batch> result;
  for (int i = 0; i < count; ++i) result.push_back({ag::randn({4, 3}), ag::randn({4, 2})});
  return result;
}

void require_bitwise_equal(const ag::Tensor& actual, const ag::Tensor& expected, const std::string& what) {
  INFO(what);
  REQUIRE(actual.defined() == expected.defined());
  if (!expected.defined()) return;
  REQUIRE(actual.shape() == expected.shape());
  CHECK(actual.to_vector() == expected.to_vector());
}

void require_same_state(const ag::optim::Optimizer& actual, const ag::optim::Optimizer& expected) {
  const ag::optim::StateDict a = actual.state_dict(), e = expected.state_dict();
  REQUIRE(a.size() == e.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    REQUIRE(a[i].first == e[i].first);
    require_bitwise_equal(a[i].second, e[i].second, a[i].first);
  }
}

// `steps` eager steps of one model against a recorded step and its replays on another; a StepLR halves the learning
// rate every two steps, between replays. With `clip`, the step clips the gradients' norm before the update.
void check_traced_training(const MakeOptimizer& make, bool clip = false, int steps = 7) {
  const std::vector<Batch> data = batches(steps);
  TinyMlp eager_model(5), traced_model(5);
  auto eager = make(eager_model.parameters());
  auto traced = make(traced_model.parameters());
  ag::optim::StepLR eager_schedule(*eager, 2, 0.5), traced_schedule(*traced, 2, 0.5);
  const auto train_step = [clip](TinyMlp& model, ag::optim::Optimizer& optimizer, const ag::Tensor& x,
                                 const ag::Tensor& y) {
    optimizer.zero_grad();
    ag::Tensor loss = ag::nn::functional::mse_loss(model.forward(x), y);
    loss.backward();
    if (clip) ag::nn::utils::clip_grad_norm_(model.parameters(), 0.05);
    optimizer.step();
    return loss;
  };

  ag::Trace trace = ag::trace({data[0].x, data[0].y}, [&](const std::vector<ag::Tensor>& in) {
    return std::vector<ag::Tensor>{train_step(traced_model, *traced, in[0], in[1])};
  });
  for (int step = 0; step < steps; ++step) {
    INFO("step " << step);
    const ag::Tensor eager_loss = train_step(eager_model, *eager, data[step].x, data[step].y);
    const ag::Tensor traced_loss = step == 0 ? trace.outputs()[0] : trace.replay({data[step].x, data[step].y})[0];
    require_bitwise_equal(traced_loss, eager_loss, "loss");
    eager_schedule.step();
    traced_schedule.step();
    const std::vector<ag::Tensor> eager_parameters = eager_model.parameters();
    const std::vector<ag::Tensor> traced_parameters = traced_model.parameters();
    for (std::size_t i = 0; i < eager_parameters.size(); ++i)
      require_bitwise_equal(traced_parameters[i], eager_parameters[i], "parameter " + std::to_string(i));
    require_same_state(*traced, *eager);
  }
  CHECK(traced->learning_rate() == eager->learning_rate());
  CHECK(eager->learning_rate() < make(TinyMlp(5).parameters())->learning_rate());  // the schedule ran
}

template <class O, class Options>
MakeOptimizer maker(Options options) {
  return [options](std::vector<ag::Tensor> parameters) { return std::make_unique<O>(std::move(parameters), options); };
}

}  // namespace

TEST_CASE("traced SGD steps replay as eager steps", "[trace][trace-nn]") {
  using ag::optim::SGD, ag::optim::SGDOptions;
  SECTION("plain") { check_traced_training(maker<SGD>(SGDOptions(0.1))); }
  SECTION("momentum and dampening") { check_traced_training(maker<SGD>(SGDOptions(0.1).momentum(0.9).dampening(0.2))); }
  SECTION("nesterov") { check_traced_training(maker<SGD>(SGDOptions(0.1).momentum(0.8).nesterov(true))); }
  SECTION("weight decay") { check_traced_training(maker<SGD>(SGDOptions(0.1).momentum(0.5).weight_decay(0.01))); }
}

TEST_CASE("traced Adam, AdamW and RMSprop steps replay as eager steps", "[trace][trace-nn]") {
  using namespace ag::optim;
  SECTION("Adam") { check_traced_training(maker<Adam>(AdamOptions(0.01))); }
  SECTION("Adam with weight decay") { check_traced_training(maker<Adam>(AdamOptions(0.01).weight_decay(0.1))); }
  SECTION("AdamW") { check_traced_training(maker<AdamW>(AdamWOptions(0.01))); }
  SECTION("AdamW with amsgrad") { check_traced_training(maker<AdamW>(AdamWOptions(0.01).amsgrad(true))); }
  SECTION("RMSprop") { check_traced_training(maker<RMSprop>(RMSpropOptions(0.01))); }
  SECTION("RMSprop centered with momentum") {
    check_traced_training(maker<RMSprop>(RMSpropOptions(0.01).centered(true).momentum(0.9).weight_decay(0.01)));
  }
}

TEST_CASE("a traced step clips by the norm of each replay's gradients", "[trace][trace-nn]") {
  check_traced_training(maker<ag::optim::SGD>(ag::optim::SGDOptions(0.1).momentum(0.9)), true);
}

TEST_CASE("a traced step refuses to replay once its optimiser is destroyed", "[trace][trace-nn]") {
  TinyMlp model(5);
  auto optimizer = std::make_unique<ag::optim::Adam>(model.parameters(), ag::optim::AdamOptions(0.01));
  const std::vector<Batch> data = batches(2);
  ag::Trace trace = ag::trace({data[0].x, data[0].y}, [&](const std::vector<ag::Tensor>& in) {
    optimizer->zero_grad();
    ag::Tensor loss = ag::nn::functional::mse_loss(model.forward(in[0]), in[1]);
    loss.backward();
    optimizer->step();
    return std::vector<ag::Tensor>{loss};
  });
  trace.replay({data[1].x, data[1].y});
  optimizer.reset();
  CHECK_THROWS_WITH(trace.replay({data[1].x, data[1].y}), Contains("optimiser that the step used was destroyed"));
}

TEST_CASE("BatchNorm with momentum None refuses to be traced; with a momentum it counts each replay",
          "[trace][trace-nn]") {
  ag::manual_seed(3);
  const ag::Tensor x = ag::randn({6, 3});
  SECTION("momentum None") {
    ag::nn::BatchNorm1d norm(ag::nn::BatchNormOptions(3).momentum(std::nullopt));
    CHECK_THROWS_WITH(
        ag::trace({x}, [&](const std::vector<ag::Tensor>& in) { return std::vector<ag::Tensor>{norm.forward(in[0])}; }),
        Contains("BatchNorm1d: momentum=None"));
  }
  SECTION("momentum 0.1") {
    ag::nn::BatchNorm1d traced(3), eager(3);
    ag::Trace trace = ag::trace(
        {x}, [&](const std::vector<ag::Tensor>& in) { return std::vector<ag::Tensor>{traced.forward(in[0])}; });
    eager.forward(x);
    for (int i = 0; i < 3; ++i) {
      const ag::Tensor batch = ag::randn({6, 3});
      require_bitwise_equal(trace.replay({batch})[0], eager.forward(batch), "output");
    }
    CHECK(traced.num_batches_tracked.item<std::int64_t>() == 4);
    require_bitwise_equal(traced.running_mean, eager.running_mean, "running_mean");
    require_bitwise_equal(traced.running_var, eager.running_var, "running_var");
  }
}
