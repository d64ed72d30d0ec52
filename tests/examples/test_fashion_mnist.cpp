// The Fashion-MNIST example's pieces: the model's shape, the learning-rate schedule and the evaluation's figures.

#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

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
