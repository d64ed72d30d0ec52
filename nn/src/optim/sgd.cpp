#include <nn/optim/sgd.hpp>

#include "optim/check_learning_rate.hpp"

#include <autograd/grad_mode.hpp>
#include <autograd/ops/conversion.hpp>
#include <autograd/ops/elementwise.hpp>

namespace ag::optim {

using detail::check_learning_rate;

namespace {

constexpr const char* kMomentumBuffer = "momentum_buffer";

void check_options(const SGDOptions& options, std::string_view context) {
  check_learning_rate(options.lr(), context);
  if (!(options.momentum() >= 0.0)) fail("{}: momentum must be non-negative, got {}", context, options.momentum());
  if (!(options.weight_decay() >= 0.0))
    fail("{}: weight_decay must be non-negative, got {}", context, options.weight_decay());
  if (options.nesterov() && (options.momentum() <= 0.0 || options.dampening() != 0.0))
    fail("{}: nesterov needs a positive momentum and zero dampening, got momentum {} and dampening {}", context,
         options.momentum(), options.dampening());
}

SGDOptions options_from(const std::map<std::string, double, std::less<>>& values) {
  return SGDOptions(values.at("lr"))
      .momentum(values.at("momentum"))
      .dampening(values.at("dampening"))
      .nesterov(values.at("nesterov") != 0.0)
      .weight_decay(values.at("weight_decay"));
}

}  // namespace

SGD::SGD(std::vector<Tensor> parameters, SGDOptions options)
    : Optimizer(std::move(parameters)), options_(options), state_(this->parameters().size()) {
  check_options(options, "SGD");
}

void SGD::set_learning_rate(double learning_rate) {
  check_learning_rate(learning_rate, "SGD");
  options_ = options_.lr(learning_rate);
}

Optimizer::StateSchema SGD::state_schema() const {
  return {{"lr", "momentum", "dampening", "nesterov", "weight_decay"}, {kMomentumBuffer}, {}};
}

Optimizer::SavedState SGD::saved_state() const {
  SavedState saved;
  saved.hyperparameters = {{"lr", options_.lr()},
                           {"momentum", options_.momentum()},
                           {"dampening", options_.dampening()},
                           {"nesterov", options_.nesterov() ? 1.0 : 0.0},
                           {"weight_decay", options_.weight_decay()}};
  saved.buffers.resize(state_.size());
  for (std::size_t i = 0; i < state_.size(); ++i)
    if (state_[i].momentum_buffer.defined()) saved.buffers[i].emplace(kMomentumBuffer, state_[i].momentum_buffer);
  return saved;
}

void SGD::check_saved_state(const SavedState& saved, std::string_view source) const {
  const double nesterov = saved.hyperparameters.at("nesterov");
  if (nesterov != 0.0 && nesterov != 1.0) fail("{}: SGD: nesterov must be 0 or 1, got {}", source, nesterov);
  check_options(options_from(saved.hyperparameters), fmt::format("{}: SGD", source));
}

void SGD::restore(const SavedState& saved) {
  options_ = options_from(saved.hyperparameters);
  for (std::size_t i = 0; i < state_.size(); ++i) {
    const auto found = saved.buffers[i].find(kMomentumBuffer);
    state_[i].momentum_buffer = found == saved.buffers[i].end() ? Tensor() : clone(found->second);
  }
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
