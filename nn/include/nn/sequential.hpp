#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <nn/module.hpp>

#include <concepts>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ag::nn {

/// Chains unary modules, feeding each one's output to the next; they are registered as children "0", "1", ...
///
///     auto model = std::make_shared<Sequential>(std::make_shared<Linear>(2, 8), std::make_shared<ReLU>());
class Sequential : public UnaryModule {
 public:
  /// An empty chain, to be filled with push_back(); its forward() returns the input.
  Sequential() = default;
  /// The chain of `modules`, in order. Throws ag::Error if one is null.
  template <std::derived_from<UnaryModule>... Modules>
  explicit Sequential(std::shared_ptr<Modules>... modules) {
    (push_back(std::move(modules)), ...);
  }

  /// Appends `module` to the chain, registered as the child named by its position. Throws ag::Error if it is null.
  void push_back(std::shared_ptr<UnaryModule> module);
  /// Runs the modules in order, each on the previous one's output.
  Tensor forward(const Tensor& input) override;
  std::string name() const override { return "Sequential"; }

  /// The number of modules in the chain.
  std::size_t size() const { return modules_.size(); }
  /// The module at position `index`. Throws ag::Error if `index` is not below size().
  const std::shared_ptr<UnaryModule>& operator[](std::size_t index) const;

 private:
  std::vector<std::shared_ptr<UnaryModule>> modules_;
};

}  // namespace ag::nn

#pragma GCC visibility pop
