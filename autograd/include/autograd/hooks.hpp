#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <autograd/tensor.hpp>

#include <cstdint>
#include <functional>

namespace ag {

/// Removes the hook it was returned for when it is destroyed or remove() is called, as PyTorch's RemovableHandle.
/// Move-only; a default-constructed handle holds no hook.
class HookHandle {
 public:
  /// A handle holding no hook.
  HookHandle() = default;
  /// Takes over `other`'s hook, leaving `other` empty.
  HookHandle(HookHandle&& other) noexcept : id_(other.id_) { other.id_ = 0; }
  /// Removes the hook held now, then takes over `other`'s.
  HookHandle& operator=(HookHandle&& other) noexcept;
  HookHandle(const HookHandle&) = delete;
  HookHandle& operator=(const HookHandle&) = delete;
  /// Removes the hook.
  ~HookHandle() { remove(); }
  /// Removes the hook now (nothing if it was removed already); the tensor is no longer kept alive by it.
  void remove() noexcept;

 private:
  friend HookHandle register_post_accumulate_grad_hook(const Tensor& leaf, std::function<void(const Tensor&)> hook);
  explicit HookHandle(std::uint64_t id) : id_(id) {}
  std::uint64_t id_ = 0;
};

/// Calls `hook(leaf)` once in every backward() pass whose graph uses `leaf`, right after the pass has added its last
/// contribution to leaf.grad() and before the pass goes on, as PyTorch's Tensor.register_post_accumulate_grad_hook:
/// data-parallel training starts sending a gradient while the rest of backward runs. grad() is undefined in the hook
/// if no gradient reached the leaf through the ops that use it. Passes of ag::grad, which leave grad() alone, and a
/// backward() started from the leaf itself call no hook. Hooks run on the thread of the pass, in the order they were
/// registered; one that throws stops the pass, as a failing op does. The hook keeps `leaf` alive until the returned
/// handle is destroyed. Throws ag::Error unless `leaf` is a leaf that requires grad.
[[nodiscard]] HookHandle register_post_accumulate_grad_hook(const Tensor& leaf,
                                                            std::function<void(const Tensor&)> hook);

}  // namespace ag

#pragma GCC visibility pop
