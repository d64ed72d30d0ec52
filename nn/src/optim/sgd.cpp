#include <nn/optim/sgd.hpp>

#include <autograd/grad_mode.hpp>
#include <autograd/ops/conversion.hpp>
#include <autograd/ops/elementwise.hpp>

namespace ag::optim {

namespace {
void check_learning_rate(double lr) {
  if (!(lr >= 0.0)) fail("SGD: the learning rate must be non-negative, got {}", lr);
}
}  // namespace

SGD::SGD(std::vector<Tensor> parameters, SGDOptions options)
    : Optimizer(std::move(parameters)), options_(options), state_(this->parameters().size()) {
  check_learning_rate(options.lr());
  if (!(options.momentum() >= 0.0)) fail("SGD: momentum must be non-negative, got {}", options.momentum());
  if (!(options.weight_decay() >= 0.0)) fail("SGD: weight_decay must be non-negative, got {}", options.weight_decay());
  if (options.nesterov() && (options.momentum() <= 0.0 || options.dampening() != 0.0))
    fail("SGD: nesterov needs a positive momentum and zero dampening, got momentum {} and dampening {}",
         options.momentum(), options.dampening());
}

void SGD::set_learning_rate(double learning_rate) {
  check_learning_rate(learning_rate);
  options_ = options_.lr(learning_rate);
}

void SGD::step() {
  NoGradGuard no_grad;
  for (std::size_t i = 0; i < parameters().size(); ++i) {
    Tensor parameter = parameters()[i];
    if (!parameter.grad().defined()) continue;
    Tensor direction = parameter.grad();  // never updated in place: the engine may share it with other tensors
    if (options_.weight_decay() != 0.0) direction = direction + parameter * options_.weight_decay();
    if (options_.momentum() != 0.0) {
      Tensor& buffer = state_[i].momentum_buffer;
      if (!buffer.defined())
        buffer = clone(direction);
      else
        buffer.mul_(options_.momentum()).add_(direction, 1.0 - options_.dampening());
      direction = options_.nesterov() ? direction + buffer * options_.momentum() : buffer;
    }
    parameter.add_(direction, -options_.lr());
  }
}

}  // namespace ag::optim
