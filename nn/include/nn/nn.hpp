#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Everything of the nn layer in one include (modules, layers, losses, initialisers, data and optimisers),
/// together with the autograd core it builds on.

/// @namespace ag::nn
/// Neural networks on the autograd core, as torch::nn: modules and layers (Module, Linear, Sequential), losses,
/// initialisers, datasets and their loader, and saving tensors and checkpoints. Optimisers are in ag::optim.

#include <autograd/autograd.hpp>
#include <nn/activation.hpp>
#include <nn/attention.hpp>
#include <nn/batchnorm.hpp>
#include <nn/clip_grad.hpp>
#include <nn/conv.hpp>
#include <nn/data_loader.hpp>
#include <nn/dataset.hpp>
#include <nn/distributed_sampler.hpp>
#include <nn/dropout.hpp>
#include <nn/embedding.hpp>
#include <nn/fashion_mnist.hpp>
#include <nn/flatten.hpp>
#include <nn/functional.hpp>
#include <nn/idx.hpp>
#include <nn/init.hpp>
#include <nn/linear.hpp>
#include <nn/loss.hpp>
#include <nn/module.hpp>
#include <nn/normalization.hpp>
#include <nn/optim/adam.hpp>
#include <nn/optim/adamw.hpp>
#include <nn/optim/cpu_capability.hpp>
#include <nn/optim/lr_scheduler.hpp>
#include <nn/optim/optimizer.hpp>
#include <nn/optim/rmsprop.hpp>
#include <nn/optim/sgd.hpp>
#include <nn/pooling.hpp>
#include <nn/rnn.hpp>
#include <nn/safetensors.hpp>
#include <nn/sequential.hpp>
#include <nn/serialize.hpp>
#include <nn/state_dict.hpp>
#include <nn/transformer.hpp>

#pragma GCC visibility pop
