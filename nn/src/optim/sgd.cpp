#include <nn/optim/sgd.hpp>

#include "optim/check_learning_rate.hpp"

#include <autograd/ops/conversion.hpp>
#include <autograd/ops/elementwise.hpp>

namespace ag::optim {

Hyperparameters SGDOptions::hyperparameters() const {
  return {{"lr", lr()},
          {"momentum", momentum()},
          {"dampening", dampening()},
          {"nesterov", nesterov() ? 1.0 : 0.0},
          {"weight_decay", weight_decay()}};
}

SGDOptions SGDOptions::from_hyperparameters(const Hyperparameters& values, std::string_view context) {
  const double nesterov = hyperparameter(values, "nesterov");
  if (nesterov != 0.0 && nesterov != 1.0) fail("{}: nesterov must be 0 or 1, got {}", context, nesterov);
  return SGDOptions(hyperparameter(values, "lr"))
      .momentum(hyperparameter(values, "momentum"))
      .dampening(hyperparameter(values, "dampening"))
      .nesterov(nesterov == 1.0)
      .weight_decay(hyperparameter(values, "weight_decay"));
}

void SGDOptions::check(std::string_view context) const {
  detail::check_learning_rate(lr(), context);
  if (!(momentum() >= 0.0)) fail("{}: momentum must be non-negative, got {}", context, momentum());
  if (!(weight_decay() >= 0.0)) fail("{}: weight_decay must be non-negative, got {}", context, weight_decay());
  if (nesterov() && (momentum() <= 0.0 || dampening() != 0.0))
    fail("{}: nesterov needs a positive momentum and zero dampening, got momentum {} and dampening {}", context,
         momentum(), dampening());
}

SGD::SGD(std::vector<Tensor> parameters, SGDOptions options)
    : OptimizerWithOptions("SGD", std::move(parameters), {{"momentum_buffer"}, {}}, options) {}

void SGD::update(Tensor parameter, Tensor gradient, ParameterState& state) {
  const SGDOptions& o = options();
  if (o.weight_decay() != 0.0) gradient = gradient + parameter * o.weight_decay();
  if (o.momentum() != 0.0) {
    Tensor& buffer = state["momentum_buffer"];
    if (!buffer.defined())
      buffer = clone(gradient);
    else
      buffer.mul_(o.momentum()).add_(gradient, 1.0 - o.dampening());
    gradient = o.nesterov() ? gradient + buffer * o.momentum() : buffer;
  }
  parameter.add_(gradient, -o.lr());
}

}  // namespace ag::optim
