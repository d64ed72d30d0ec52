#pragma once

#include <autograd/tensor.hpp>

#include <vector>

namespace ag::optim {

// Updates a fixed list of parameters from their gradients, as torch::optim::Optimizer (one parameter group).
// A parameter whose grad() is undefined (not reached by the last backward pass) is left alone by step().
class Optimizer {
 public:
  explicit Optimizer(std::vector<Tensor> parameters);
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;
  virtual ~Optimizer() = default;

  virtual void step() = 0;
  // Drops every parameter's gradient (PyTorch's set_to_none).
  void zero_grad();

  virtual double learning_rate() const = 0;
  virtual void set_learning_rate(double learning_rate) = 0;

  const std::vector<Tensor>& parameters() const { return parameters_; }

 private:
  std::vector<Tensor> parameters_;
};

}  // namespace ag::optim
