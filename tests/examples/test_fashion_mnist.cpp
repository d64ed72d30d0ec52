// The Fashion-MNIST example's pieces: the models' shapes and names, the optimisers, the learning-rate schedule and the
// evaluation's figures.

#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

#include "fashion_mnist/training.hpp"

TEST_CASE("the MLP maps 784 pixels to 10 logits with 235,146 parameters", "[examples][fashion_mnist]") {
  const auto model = fashion_mnist::make_mlp();
  std::int64_t count = 0;
  for (const ag::Tensor& p : model->parameters()) count += p.numel();
  CHECK(count == 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
  CHECK((*model)(ag::zeros({3, 784})).shape() == ag::Shape{3, 10});
}

TEST_CASE("the learning rate falls along half a cosine from its initial value", "[examples][fashion_mnist]") {
  CHECK(fashion_mnist::learning_rate_at(1, 10, 0.05) == 0.05);
  CHECK(fashion_mnist::learning_rate_at(6, 10, 0.05) == Approx(0.025));
  CHECK(fashion_mnist::learning_rate_at(10, 10, 0.05) == Approx(0.05 * 0.5 * (1 + std::cos(0.9 * std::numbers::pi))));
  CHECK(fashion_mnist::learning_rate_at(10, 10, 0.05) > 0.0);
}

TEST_CASE("evaluate averages loss and accuracy over all samples, whatever the batches", "[examples][fashion_mnist]") {
  // A model that ignores its input and always scores class 2 highest.
  ag::nn::Linear model(784, 10);
  {
    ag::NoGradGuard no_grad;
    model.weight.zero_();
    model.bias.copy_(ag::tensor({0, 0, 1, 0, 0, 0, 0, 0, 0, 0}));
  }
  const ag::nn::TensorDataset data(ag::zeros({3, 784}), ag::tensor({2, 5, 2}, ag::kInt64));
  const double log_normaliser = std::log(9 + std::exp(1.0));
  const double expected_loss = (2 * (log_normaliser - 1) + log_normaliser) / 3;
  for (const std::int64_t batch_size : {1, 2, 3}) {
    const auto figures = fashion_mnist::evaluate(model, data, batch_size);
    CHECK(figures.samples == 3);
    CHECK(figures.accuracy == Approx(2.0 / 3.0));
    CHECK(figures.loss == Approx(expected_loss).epsilon(1e-6));
  }
}

TEST_CASE("the CNN maps [batch, 1, 28, 28] to 10 logits with PyTorch's state_dict names", "[examples][fashion_mnist]") {
  const auto model = fashion_mnist::make_cnn();
  std::vector<std::pair<std::string, ag::Shape>> entries;
  for (const auto& [name, tensor] : model->state_dict()) entries.emplace_back(name, tensor.shape());
  // torch.nn.Sequential(Conv2d(1, 32, 3, padding=1), ReLU(), MaxPool2d(2), Conv2d(32, 64, 3, padding=1), ReLU(),
  // MaxPool2d(2), Flatten(), Linear(3136, 128), ReLU(), Dropout(0.25), Linear(128, 10)).state_dict()
  const std::vector<std::pair<std::string, ag::Shape>> pytorch{
      {"0.weight", {32, 1, 3, 3}}, {"0.bias", {32}},  {"3.weight", {64, 32, 3, 3}}, {"3.bias", {64}},
      {"7.weight", {128, 3136}},   {"7.bias", {128}}, {"10.weight", {10, 128}},     {"10.bias", {10}}};
  CHECK(entries == pytorch);
  CHECK((*model)(ag::zeros({3, 1, 28, 28})).shape() == ag::Shape{3, 10});
}

TEST_CASE("the CNN's dropout is on in training mode and off in evaluation mode", "[examples][fashion_mnist]") {
  ag::manual_seed(3);
  const auto model = fashion_mnist::make_cnn();
  const ag::Tensor images = ag::rand({4, 1, 28, 28});
  const auto largest_difference = [&] { return ((*model)(images) - (*model)(images)).abs().max().item(); };
  ag::NoGradGuard no_grad;
  model->eval();
  CHECK(largest_difference() == 0.0);
  model->train();
  CHECK(largest_difference() > 0.0);
}

TEST_CASE("model flags name the two models and nothing else", "[examples][fashion_mnist]") {
  CHECK(fashion_mnist::parse_model("mlp") == fashion_mnist::ModelKind::Mlp);
  CHECK(fashion_mnist::parse_model("cnn") == fashion_mnist::ModelKind::Cnn);
  CHECK_FALSE(fashion_mnist::parse_model("CNN").has_value());
  CHECK_FALSE(fashion_mnist::parse_model("").has_value());
  for (const auto kind : {fashion_mnist::ModelKind::Mlp, fashion_mnist::ModelKind::Cnn})
    CHECK(fashion_mnist::parse_model(fashion_mnist::model_flag(kind)) == kind);
}

TEST_CASE("the MLP's SGD follows the cosine and the CNN's Adam keeps its learning rate", "[examples][fashion_mnist]") {
  using fashion_mnist::ModelKind;
  CHECK(fashion_mnist::default_learning_rate(ModelKind::Mlp) == 0.05);
  CHECK(fashion_mnist::default_learning_rate(ModelKind::Cnn) == 1e-3);
  CHECK(fashion_mnist::scheduled_learning_rate(ModelKind::Mlp, 6, 10, 0.05) == Approx(0.025));
  CHECK(fashion_mnist::scheduled_learning_rate(ModelKind::Cnn, 6, 10, 1e-3) == 1e-3);
  const ag::Tensor weight = ag::zeros({2}).requires_grad_();
  CHECK(dynamic_cast<ag::optim::SGD*>(fashion_mnist::make_optimizer(ModelKind::Mlp, {weight}, 0.05).get()));
  CHECK(dynamic_cast<ag::optim::Adam*>(fashion_mnist::make_optimizer(ModelKind::Cnn, {weight}, 1e-3).get()));
}
