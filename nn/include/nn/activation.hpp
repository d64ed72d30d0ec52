#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Activation functions as modules, for use in Sequential.

#include <nn/module.hpp>

#include <cstdint>
#include <string>

namespace ag::nn {

/// The logistic function 1 / (1 + exp(-x)), elementwise, as ag::sigmoid.
class Sigmoid : public UnaryModule {
 public:
  /// sigmoid(input). Gradient: d/dx = grad * y (1 - y), where y is the output.
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Sigmoid"; }
};

/// The hyperbolic tangent, elementwise, as ag::tanh.
class Tanh : public UnaryModule {
 public:
  /// tanh(input). Gradient: d/dx = grad * (1 - y²), where y is the output.
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Tanh"; }
};

/// max(x, 0), elementwise, as ag::relu.
class ReLU : public UnaryModule {
 public:
  /// relu(input). Gradient: d/dx = grad where x > 0, else 0.
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "ReLU"; }
};

/// Normalises along `dim` (negative counts from the end) into probabilities.
class Softmax : public UnaryModule {
 public:
  /// Softmax along dimension `dim`.
  explicit Softmax(std::int64_t dim) : dim_(dim) {}
  /// exp(x) / sum(exp(x)) along the dimension, as ag::softmax. Gradient: d/dx = y (grad - sum(grad y)), the sum
  /// along the dimension. Throws ag::Error if the dimension is out of range for the input.
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Softmax"; }
  std::string extra_repr() const override { return "dim=" + std::to_string(dim_); }

 private:
  std::int64_t dim_;
};

/// log(Softmax(dim)), computed stably; pairs with NLLLoss.
class LogSoftmax : public UnaryModule {
 public:
  /// Log-softmax along dimension `dim` (negative counts from the end).
  explicit LogSoftmax(std::int64_t dim) : dim_(dim) {}
  /// x - log(sum(exp(x))) along the dimension, as ag::log_softmax. Gradient: d/dx = grad - exp(y) sum(grad), the
  /// sum along the dimension. Throws ag::Error if the dimension is out of range for the input.
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "LogSoftmax"; }
  std::string extra_repr() const override { return "dim=" + std::to_string(dim_); }

 private:
  std::int64_t dim_;
};

}  // namespace ag::nn

#pragma GCC visibility pop
