#pragma once

// The Fashion-MNIST classifier and its training: an MLP 784-256-128-10 with ReLU, cross-entropy on its logits, and
// the loop over one epoch with running figures for a progress display.

#include <autograd/autograd.hpp>
#include <nn/nn.hpp>

#include <cstdint>
#include <functional>
#include <memory>

namespace fashion_mnist {

std::shared_ptr<ag::nn::Sequential> make_mlp();

// Cosine annealing by epoch (Loshchilov and Hutter's SGDR without restarts): `initial` in epoch 1, falling along half a
// cosine towards 0 after the last epoch.
double learning_rate_at(std::int64_t epoch, std::int64_t epochs, double initial);

// Figures so far in an epoch: mean loss and accuracy over the samples seen.
struct RunningFigures {
  std::int64_t samples = 0;
  double loss = 0.0;
  double accuracy = 0.0;
};

// One pass over `loader`: a forward pass, cross-entropy, backward and an optimiser step per batch. `after_batch`
// sees the figures after each batch; they are computed from each batch's logits before its step.
RunningFigures train_epoch(ag::nn::UnaryModule& model, ag::optim::Optimizer& optimizer, ag::nn::DataLoader& loader,
                           const std::function<void(const RunningFigures&)>& after_batch);

// Mean cross-entropy and accuracy on `data`, in batches and without recording a graph.
RunningFigures evaluate(ag::nn::UnaryModule& model, const ag::nn::TensorDataset& data, std::int64_t batch_size = 1000);

}  // namespace fashion_mnist
