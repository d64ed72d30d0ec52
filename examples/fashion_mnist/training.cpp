#include "fashion_mnist/training.hpp"

#include <nn/conv.hpp>
#include <nn/dropout.hpp>
#include <nn/flatten.hpp>
#include <nn/pooling.hpp>

#include <cmath>
#include <numbers>

namespace fashion_mnist {

namespace F = ag::nn::functional;

namespace {

// Adds one batch to the running figures.
void add_batch(RunningFigures& figures, const ag::Tensor& logits, const ag::Tensor& targets, double batch_loss_sum) {
  ag::NoGradGuard no_grad;
  const std::int64_t batch = targets.size(0);
  const double correct = ag::eq(logits.argmax(1), targets).sum().item();
  const auto seen = static_cast<double>(figures.samples);
  const auto total = static_cast<double>(figures.samples + batch);
  figures.loss = (figures.loss * seen + batch_loss_sum) / total;
  figures.accuracy = (figures.accuracy * seen + correct) / total;
  figures.samples += batch;
}

}  // namespace

std::optional<ModelKind> parse_model(const std::string& name) {
  if (name == "mlp") return ModelKind::Mlp;
  if (name == "cnn") return ModelKind::Cnn;
  return std::nullopt;
}

std::string model_flag(ModelKind kind) { return kind == ModelKind::Mlp ? "mlp" : "cnn"; }

std::string model_title(ModelKind kind) {
  return kind == ModelKind::Mlp ? "MLP 784-256-128-10" : "CNN conv32-conv64-128-10";
}

std::shared_ptr<ag::nn::Sequential> make_mlp() {
  using namespace ag::nn;
  return std::make_shared<Sequential>(std::make_shared<Linear>(784, 256), std::make_shared<ReLU>(),
                                      std::make_shared<Linear>(256, 128), std::make_shared<ReLU>(),
                                      std::make_shared<Linear>(128, 10));
}

std::shared_ptr<ag::nn::Sequential> make_cnn() {
  using namespace ag::nn;
  return std::make_shared<Sequential>(
      std::make_shared<Conv2d>(Conv2dOptions(1, 32, 3).padding(1)), std::make_shared<ReLU>(),
      std::make_shared<MaxPool2d>(2), std::make_shared<Conv2d>(Conv2dOptions(32, 64, 3).padding(1)),
      std::make_shared<ReLU>(), std::make_shared<MaxPool2d>(2), std::make_shared<Flatten>(),
      std::make_shared<Linear>(64 * 7 * 7, 128), std::make_shared<ReLU>(), std::make_shared<Dropout>(0.25),
      std::make_shared<Linear>(128, 10));
}

std::shared_ptr<ag::nn::Sequential> make_model(ModelKind kind) {
  return kind == ModelKind::Mlp ? make_mlp() : make_cnn();
}

ag::nn::TensorDataset shaped_for(ModelKind kind, const ag::nn::TensorDataset& data) {
  if (kind == ModelKind::Mlp) return data;
  return {data.inputs().reshape({data.size(), 1, 28, 28}), data.targets()};
}

double default_learning_rate(ModelKind kind) { return kind == ModelKind::Mlp ? 0.05 : 1e-3; }

std::unique_ptr<ag::optim::Optimizer> make_optimizer(ModelKind kind, std::vector<ag::Tensor> parameters,
                                                     double learning_rate) {
  if (kind == ModelKind::Mlp)
    return std::make_unique<ag::optim::SGD>(std::move(parameters), ag::optim::SGDOptions(learning_rate).momentum(0.9));
  return std::make_unique<ag::optim::Adam>(std::move(parameters), ag::optim::AdamOptions(learning_rate));
}

double learning_rate_at(std::int64_t epoch, std::int64_t epochs, double initial) {
  const double progress = static_cast<double>(epoch - 1) / static_cast<double>(epochs);
  return initial * 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
}

double scheduled_learning_rate(ModelKind kind, std::int64_t epoch, std::int64_t epochs, double initial) {
  return kind == ModelKind::Mlp ? learning_rate_at(epoch, epochs, initial) : initial;
}

RunningFigures train_epoch(ag::nn::UnaryModule& model, ag::optim::Optimizer& optimizer, ag::nn::DataLoader& loader,
                           const std::function<void(const RunningFigures&)>& after_batch) {
  model.train();
  RunningFigures figures;
  for (const ag::nn::Batch& batch : loader) {
    const ag::Tensor logits = model(batch.inputs);
    const ag::Tensor loss = F::cross_entropy(logits, batch.targets);
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    add_batch(figures, logits, batch.targets, loss.item() * static_cast<double>(batch.targets.size(0)));
    after_batch(figures);
  }
  return figures;
}

RunningFigures evaluate(ag::nn::UnaryModule& model, const ag::nn::TensorDataset& data, std::int64_t batch_size) {
  ag::NoGradGuard no_grad;
  model.eval();
  ag::nn::DataLoader loader(data, ag::nn::DataLoaderOptions().batch_size(batch_size));
  RunningFigures figures;
  for (const ag::nn::Batch& batch : loader) {
    const ag::Tensor logits = model(batch.inputs);
    add_batch(figures, logits, batch.targets, F::cross_entropy(logits, batch.targets, ag::nn::Reduction::Sum).item());
  }
  return figures;
}

}  // namespace fashion_mnist
