#pragma once

// Activation functions as modules, for use in Sequential.

#include <nn/module.hpp>

#include <cstdint>
#include <string>

namespace ag::nn {

class Sigmoid : public UnaryModule {
 public:
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Sigmoid"; }
};

class Tanh : public UnaryModule {
 public:
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Tanh"; }
};

class ReLU : public UnaryModule {
 public:
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "ReLU"; }
};

// Normalises along `dim` (negative counts from the end) into probabilities.
class Softmax : public UnaryModule {
 public:
  explicit Softmax(std::int64_t dim) : dim_(dim) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Softmax"; }
  std::string extra_repr() const override { return "dim=" + std::to_string(dim_); }

 private:
  std::int64_t dim_;
};

// log(Softmax(dim)), computed stably; pairs with NLLLoss.
class LogSoftmax : public UnaryModule {
 public:
  explicit LogSoftmax(std::int64_t dim) : dim_(dim) {}
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "LogSoftmax"; }
  std::string extra_repr() const override { return "dim=" + std::to_string(dim_); }

 private:
  std::int64_t dim_;
};

}  // namespace ag::nn
