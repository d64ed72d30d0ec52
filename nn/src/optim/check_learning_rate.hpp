#pragma once

#include <autograd/error.hpp>

#include <string_view>

namespace ag::optim::detail {

// `context` starts the message: the optimiser's name ("SGD"), or "<file>: SGD" for a loaded state.
inline void check_learning_rate(double lr, std::string_view context) {
  if (!(lr >= 0.0)) fail("{}: the learning rate must be non-negative, got {}", context, lr);
}

}  // namespace ag::optim::detail
