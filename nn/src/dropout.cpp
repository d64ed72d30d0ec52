#include <nn/dropout.hpp>

#include <autograd/ops/dropout.hpp>

#include <fmt/format.h>

namespace ag::nn {

Tensor functional::dropout(const Tensor& input, double p, bool training) { return ag::dropout(input, p, training); }

Dropout::Dropout(DropoutOptions options) : options_(options) {
  if (!(options.p() >= 0.0 && options.p() <= 1.0))
    fail("Dropout: p = {} is not a probability (expected 0 <= p <= 1)", options.p());
}

Tensor Dropout::forward(const Tensor& input) { return functional::dropout(input, options_.p(), is_training()); }

std::string Dropout::extra_repr() const { return fmt::format("p={}", options_.p()); }

}  // namespace ag::nn
