#pragma once

// The Fashion-MNIST classifiers and their training: an MLP 784-256-128-10 with ReLU trained by SGD with momentum, or
// a CNN (two 3x3 convolutions with max pooling, then two linear layers with dropout) trained by Adam; cross-entropy on
// their logits, and the loop over one epoch with running figures for a progress display.

#include <autograd/autograd.hpp>
#include <nn/nn.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace fashion_mnist {

// Which classifier the example trains (--model).
enum class ModelKind { Mlp, Cnn };

// The kind named `name` ("mlp" or "cnn"), or nothing for any other name.
std::optional<ModelKind> parse_model(const std::string& name);
// The flag value of `kind`: "mlp" or "cnn".
std::string model_flag(ModelKind kind);
// The model as a person reads it: "MLP 784-256-128-10" or "CNN conv32-conv64-128-10".
std::string model_title(ModelKind kind);

// Linear(784, 256), ReLU, Linear(256, 128), ReLU, Linear(128, 10), on inputs [batch, 784].
std::shared_ptr<ag::nn::Sequential> make_mlp();

// PyTorch's nn.Sequential(Conv2d(1, 32, 3, padding=1), ReLU(), MaxPool2d(2), Conv2d(32, 64, 3, padding=1), ReLU(),
// MaxPool2d(2), Flatten(), Linear(64 * 7 * 7, 128), ReLU(), Dropout(0.25), Linear(128, 10)), with the same
// state_dict names (0.weight, 3.weight, 7.weight, 10.weight and their biases), on inputs [batch, 1, 28, 28].
std::shared_ptr<ag::nn::Sequential> make_cnn();

// make_mlp() or make_cnn().
std::shared_ptr<ag::nn::Sequential> make_model(ModelKind kind);

// `data` (inputs [N, 784], as load_fashion_mnist gives them) shaped as `kind` takes its inputs: unchanged for the
// MLP, [N, 1, 28, 28] for the CNN. The pixels are shared, not copied.
ag::nn::TensorDataset shaped_for(ModelKind kind, const ag::nn::TensorDataset& data);

// What --learning-rate means when not given: 0.05 for the MLP's SGD, 1e-3 for the CNN's Adam.
double default_learning_rate(ModelKind kind);

// The MLP's optimiser is SGD with momentum 0.9, the CNN's Adam (betas 0.9, 0.999), each at `learning_rate`.
std::unique_ptr<ag::optim::Optimizer> make_optimizer(ModelKind kind, std::vector<ag::Tensor> parameters,
                                                     double learning_rate);

// Cosine annealing by epoch (Loshchilov and Hutter's SGDR without restarts): `initial` in epoch 1, falling along half a
// cosine towards 0 after the last epoch.
double learning_rate_at(std::int64_t epoch, std::int64_t epochs, double initial);

// The learning rate of `epoch` for `kind`: the MLP's follows learning_rate_at, the CNN's stays `initial` (Adam adapts
// its steps itself, and PyTorch's reference run of this network uses a constant rate).
double scheduled_learning_rate(ModelKind kind, std::int64_t epoch, std::int64_t epochs, double initial);

// Figures so far in an epoch: mean loss and accuracy over the samples seen.
struct RunningFigures {
  std::int64_t samples = 0;
  double loss = 0.0;
  double accuracy = 0.0;
};

// One pass over `loader` in training mode (dropout on): a forward pass, cross-entropy, backward and an optimiser step
// per batch. `after_batch` sees the figures after each batch; they are computed from each batch's logits before its
// step.
RunningFigures train_epoch(ag::nn::UnaryModule& model, ag::optim::Optimizer& optimizer, ag::nn::DataLoader& loader,
                           const std::function<void(const RunningFigures&)>& after_batch);

// Mean cross-entropy and accuracy on `data`, in batches, in evaluation mode (dropout off) and without recording a
// graph.
RunningFigures evaluate(ag::nn::UnaryModule& model, const ag::nn::TensorDataset& data, std::int64_t batch_size = 1000);

}  // namespace fashion_mnist
