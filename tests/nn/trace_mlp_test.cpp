// The Fashion-MNIST MLP's training step recorded with ag::trace and replayed: bitwise the parameters of eager steps.

#include <nn/nn.hpp>

#include <catch2/catch.hpp>

#include <memory>
#include <vector>

namespace {

using ag::Tensor;

std::shared_ptr<ag::nn::Sequential> fashion_mlp() {
  using ag::nn::Linear, ag::nn::ReLU;
  return std::make_shared<ag::nn::Sequential>(std::make_shared<Linear>(784, 256), std::make_shared<ReLU>(),
                                              std::make_shared<Linear>(256, 128), std::make_shared<ReLU>(),
                                              std::make_shared<Linear>(128, 10));
}

// Random class indices in [0, 10), int64.
Tensor random_labels(std::int64_t size) {
  std::vector<double> classes;
  for (std::int64_t i = 0; i < size; ++i) classes.push_back(static_cast<double>(ag::random_bits() % 10));
  return ag::from_vector(classes, {size}, ag::kInt64);
}

struct Batch {
  Tensor images;
  Tensor labels;
};

std::vector<Batch> random_batches(int count, std::int64_t size) {
  std::vector<Batch> batches;
  for (int b = 0; b < count; ++b) batches.push_back({ag::rand({size, 784}), random_labels(size)});
  return batches;
}

template <class Optimizer>
void check_replay_equals_eager(const std::function<std::unique_ptr<Optimizer>(std::vector<Tensor>)>& make_optimizer) {
  ag::manual_seed(5);
  const std::vector<Batch> batches = random_batches(6, 16);
  auto eager_model = fashion_mlp();
  auto replayed_model = fashion_mlp();
  replayed_model->load_state_dict(eager_model->state_dict());
  auto eager_optimizer = make_optimizer(eager_model->parameters());
  auto replayed_optimizer = make_optimizer(replayed_model->parameters());

  const auto step = [](ag::nn::Sequential& model, Optimizer& optimizer, const Tensor& images, const Tensor& labels) {
    optimizer.zero_grad();
    Tensor loss = ag::nn::functional::cross_entropy(model.forward(images), labels);
    loss.backward();
    optimizer.step();
    return loss;
  };
  ag::Trace trace = ag::trace({batches[0].images, batches[0].labels}, [&](const std::vector<Tensor>& in) {
    return std::vector<Tensor>{step(*replayed_model, *replayed_optimizer, in[0], in[1])};
  });
  CHECK(trace.recordings() == 1);
  const double recorded_loss = trace.outputs()[0].item();
  CHECK(step(*eager_model, *eager_optimizer, batches[0].images, batches[0].labels).item() == recorded_loss);
  for (std::size_t b = 1; b < batches.size(); ++b) {
    const double eager_loss = step(*eager_model, *eager_optimizer, batches[b].images, batches[b].labels).item();
    REQUIRE(trace.replay({batches[b].images, batches[b].labels})[0].item() == eager_loss);
  }
  const auto eager_parameters = eager_model->parameters();
  const auto replayed_parameters = replayed_model->parameters();
  for (std::size_t i = 0; i < eager_parameters.size(); ++i) {
    INFO("parameter " << i);
    CHECK(replayed_parameters[i].to_vector() == eager_parameters[i].to_vector());
    CHECK(replayed_parameters[i].grad().to_vector() == eager_parameters[i].grad().to_vector());
  }
}

}  // namespace

TEST_CASE("the MLP's step replayed with SGD and momentum equals eager steps bitwise", "[trace][trace-mlp]") {
  check_replay_equals_eager<ag::optim::SGD>([](std::vector<Tensor> parameters) {
    return std::make_unique<ag::optim::SGD>(std::move(parameters), ag::optim::SGDOptions(0.01).momentum(0.9));
  });
}

TEST_CASE("the MLP's step replayed with Adam equals eager steps bitwise", "[trace][trace-mlp]") {
  check_replay_equals_eager<ag::optim::Adam>([](std::vector<Tensor> parameters) {
    return std::make_unique<ag::optim::Adam>(std::move(parameters), ag::optim::AdamOptions(1e-3));
  });
}

TEST_CASE("a replay refuses inputs of another shape or dtype, naming them", "[trace][trace-mlp]") {
  auto model = fashion_mlp();
  ag::optim::SGD sgd(model->parameters(), ag::optim::SGDOptions(0.01));
  ag::Trace trace = ag::trace({ag::rand({8, 784}), random_labels(8)}, [&](const std::vector<Tensor>& in) {
    sgd.zero_grad();
    Tensor loss = ag::nn::functional::cross_entropy(model->forward(in[0]), in[1]);
    loss.backward();
    sgd.step();
    return std::vector<Tensor>{loss};
  });
  CHECK_THROWS_WITH(trace.replay({ag::rand({16, 784}), random_labels(16)}),
                    Catch::Contains("input 0 has shape [16, 784]") && Catch::Contains("recorded with shape [8, 784]"));
  CHECK_THROWS_WITH(trace.replay({ag::rand({8, 784}, ag::kFloat64), random_labels(8)}),
                    Catch::Contains("dtype float64"));
  CHECK_THROWS_WITH(trace.replay({ag::rand({8, 784})}), Catch::Contains("got 1 inputs"));
  CHECK_NOTHROW(trace.replay({ag::rand({8, 784}), random_labels(8)}));
}

TEST_CASE("a trace that went stale says what changed", "[trace][trace-mlp]") {
  auto model = fashion_mlp();
  ag::optim::SGD sgd(model->parameters(), ag::optim::SGDOptions(0.01));
  ag::Trace trace = ag::trace({ag::rand({4, 784}), random_labels(4)}, [&](const std::vector<Tensor>& in) {
    sgd.zero_grad();
    Tensor loss = ag::nn::functional::cross_entropy(model->forward(in[0]), in[1]);
    loss.backward();
    sgd.step();
    return std::vector<Tensor>{loss};
  });
  sgd.zero_grad();  // outside the step: the replay would write gradients nobody holds
  CHECK_THROWS_WITH(trace.replay(), Catch::Contains("was dropped since the trace was recorded"));
  model->to(ag::kFloat64);  // new values for every parameter: the replay would update the old ones
  CHECK_THROWS_WITH(trace.replay(), Catch::Contains("were replaced since the trace was recorded"));
}
