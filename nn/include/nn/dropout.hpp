#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Dropout as a module (Dropout) and as a function (functional::dropout); the op is ag::dropout.

#include <autograd/detail/options_arg.hpp>
#include <nn/module.hpp>

#include <string>

namespace ag::nn {

/// Chainable settings of a Dropout layer: DropoutOptions(0.25), or DropoutOptions().p(0.25).
class DropoutOptions {
 public:
  /// Settings with the probability `p` of zeroing an element.
  DropoutOptions(double p = 0.5) : p_(p) {}  // NOLINT: implicit, so Dropout(0.25) reads well

  /// The probability of zeroing each element, in [0, 1] (default 0.5).
  ///@{
  AG_ARG(double, p);
  ///@}
};

/// Zeroes each element with probability p during training and scales the others by 1 / (1 - p), so that the
/// expected output is the input; in evaluation mode (eval()) it returns the input unchanged, as torch::nn::Dropout.
/// The mask is drawn from the global generator, so a run after ag::manual_seed repeats itself.
class Dropout : public UnaryModule {
 public:
  /// A dropout layer with the given settings: Dropout(0.25), Dropout(DropoutOptions().p(0.25)).
  /// Throws ag::Error if p lies outside [0, 1].
  explicit Dropout(DropoutOptions options = {});

  /// dropout(input, p, is_training()), as functional::dropout. Gradient: d/dinput = grad * mask / (1 - p).
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Dropout"; }
  std::string extra_repr() const override;

  /// The settings the layer was made with.
  const DropoutOptions& options() const { return options_; }

 private:
  DropoutOptions options_;
};

namespace functional {

/// With `training`, zeroes each element of `input` with probability p (drawn from the global generator) and scales
/// the rest by 1 / (1 - p); without, returns `input` itself, as torch.nn.functional.dropout and ag::dropout.
/// Gradient: d/dinput = grad * mask / (1 - p). Throws ag::Error if p lies outside [0, 1] or input is not
/// floating point.
Tensor dropout(const Tensor& input, double p = 0.5, bool training = true);

}  // namespace functional
}  // namespace ag::nn

#pragma GCC visibility pop
