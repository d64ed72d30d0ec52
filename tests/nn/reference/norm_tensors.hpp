#pragma once

// The arrays of norm_reference.hpp (PyTorch's values) as tensors, and as a matcher, for the norm layers' tests.

#include <autograd/autograd.hpp>

#include <span>
#include <string>

#include "norm_reference.hpp"
#include "tensor_matchers.hpp"

namespace norm_reference {

inline ag::Tensor tensor(const std::string& name) {
  const Array& array = arrays().at(name);
  return ag::from_vector(array.values, ag::Shape(std::span<const std::int64_t>(array.shape)), ag::kFloat64);
}

inline HasValues matches(const std::string& name) { return HasValues(tensor(name).to_vector(), 1e-10); }

}  // namespace norm_reference
