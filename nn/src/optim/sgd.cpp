#include <nn/optim/sgd.hpp>

#include "optim/check_learning_rate.hpp"
#include "optim/fused_loop.hpp"

#include <autograd/creation.hpp>

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

SGD::SGD(const std::vector<ParamGroup>& groups, SGDOptions defaults)
    : OptimizerWithOptions("SGD", groups, {{"momentum_buffer"}, {}}, defaults) {}

namespace {

// The index of the state "momentum_buffer" among SGD's state names.
constexpr std::size_t kMomentumBuffer = 0;

struct SgdCoefficients {
  double lr, momentum, dampening, weight_decay;
};

// PyTorch's rule in one pass, in its order of operations. kFirst: the buffer starts as the gradient.
template <class T, bool kDecay, bool kMomentum, bool kFirst, bool kNesterov>
[[gnu::always_inline]] inline void sgd_loop(std::int64_t n, T* __restrict parameter, const T* __restrict gradient,
                                            T* __restrict buffer, SgdCoefficients c) {
  const T lr = static_cast<T>(c.lr), momentum = static_cast<T>(c.momentum);
  const T kept = static_cast<T>(1.0 - c.dampening), decay = static_cast<T>(c.weight_decay);
  for (std::int64_t i = 0; i < n; ++i) {
    T g = gradient[i];
    if constexpr (kDecay) g = g + decay * parameter[i];
    if constexpr (kMomentum) {
      const T b = kFirst ? g : buffer[i] * momentum + kept * g;
      buffer[i] = b;
      g = kNesterov ? g + momentum * b : b;
    }
    parameter[i] = parameter[i] - lr * g;
  }
}

}  // namespace

void SGD::update(Tensor parameter, Tensor gradient, ParameterState& state) {
  const SGDOptions& o = options(state.group());
  Tensor& buffer = state[kMomentumBuffer];
  const bool momentum = o.momentum() != 0.0;
  const bool first = momentum && !buffer.defined();
  if (first) buffer = zeros_like(parameter);
  const SgdCoefficients coefficients{o.lr(), o.momentum(), o.dampening(), o.weight_decay()};
  optim::detail::with_element_type("SGD", parameter, gradient, [&]<class T>(T) {
    T* buffer_data = momentum ? optim::detail::written<T>(buffer) : nullptr;
    optim::detail::with_flags(
        [&](auto decay, auto with_momentum, auto starts, auto nesterov) {
          optim::detail::run_loop<&sgd_loop<T, decltype(decay)::value, decltype(with_momentum)::value,
                                            decltype(starts)::value, decltype(nesterov)::value>>(
              parameter.numel(), optim::detail::written<T>(parameter), gradient.data<T>(), buffer_data, coefficients);
        },
        o.weight_decay() != 0.0, momentum, first, momentum && o.nesterov());
  });
}

}  // namespace ag::optim
