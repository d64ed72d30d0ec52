#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <autograd/tensor.hpp>

#include <string>
#include <utility>
#include <vector>

namespace ag::nn {

/// Named tensors in a fixed order, as PyTorch's state_dict(): what modules and optimisers save and load.
using StateDict = std::vector<std::pair<std::string, Tensor>>;

}  // namespace ag::nn

#pragma GCC visibility pop
