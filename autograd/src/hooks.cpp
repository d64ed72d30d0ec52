#include <autograd/error.hpp>
#include <autograd/function.hpp>
#include <autograd/hooks.hpp>

#include "hooks.hpp"

#include <algorithm>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace ag {

namespace detail {

std::atomic<std::size_t> hooked_leaves{0};

namespace {

struct RegisteredHook {
  std::uint64_t id;
  std::function<void(const Tensor&)> hook;
};

struct HookedLeaf {
  Tensor leaf;  // keeps the tensor, so that its address names no other tensor while the hook is registered
  std::vector<RegisteredHook> hooks;
};

struct Registry {
  std::mutex mutex;
  std::unordered_map<TensorImpl*, HookedLeaf> leaves;
  std::uint64_t last_id = 0;
};

Registry& registry() {
  static Registry instance;
  return instance;
}

}  // namespace

void HookSchedule::plan(std::span<const Tensor> order) {
  Registry& hooks = registry();
  const std::lock_guard lock(hooks.mutex);
  std::vector<std::pair<std::size_t, TensorImpl*>> last_use;  // a leaf's first position in order is its last use
  for (std::size_t position = 0; position < order.size(); ++position)
    for (const Tensor& input : order[position].impl()->grad_fn->inputs()) {
      TensorImpl* impl = input.impl();
      if (impl->grad_fn || !impl->requires_grad || !hooks.leaves.contains(impl)) continue;
      if (std::none_of(last_use.begin(), last_use.end(), [&](const auto& use) { return use.second == impl; }))
        last_use.emplace_back(position, impl);
    }
  std::sort(last_use.begin(), last_use.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [position, impl] : last_use) {
    const HookedLeaf& hooked = hooks.leaves.at(impl);
    for (const RegisteredHook& registered : hooked.hooks) calls_.push_back({position, hooked.leaf, registered.hook});
  }
}

void HookSchedule::run_after(std::size_t position) {
  while (next_ < calls_.size() && calls_[next_].position == position) {
    const Call& call = calls_[next_++];
    call.hook(call.leaf);
  }
}

}  // namespace detail

HookHandle& HookHandle::operator=(HookHandle&& other) noexcept {
  if (this != &other) {
    remove();
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void HookHandle::remove() noexcept {
  if (id_ == 0) return;
  detail::Registry& hooks = detail::registry();
  const std::lock_guard lock(hooks.mutex);
  for (auto it = hooks.leaves.begin(); it != hooks.leaves.end(); ++it) {
    auto& registered = it->second.hooks;
    const auto found = std::find_if(registered.begin(), registered.end(), [&](const auto& r) { return r.id == id_; });
    if (found == registered.end()) continue;
    registered.erase(found);
    if (registered.empty()) {
      hooks.leaves.erase(it);
      detail::hooked_leaves.fetch_sub(1, std::memory_order_relaxed);
    }
    break;
  }
  id_ = 0;
}

HookHandle register_post_accumulate_grad_hook(const Tensor& leaf, std::function<void(const Tensor&)> hook) {
  if (!leaf.defined()) fail("register_post_accumulate_grad_hook: the tensor is undefined");
  if (!leaf.is_leaf() || !leaf.requires_grad())
    fail(
        "register_post_accumulate_grad_hook: the tensor (shape {}) must be a leaf that requires grad; it is {} that "
        "{}",
        leaf.shape(), leaf.is_leaf() ? "a leaf" : "the result of an op",
        leaf.requires_grad() ? "requires grad" : "does not require grad");
  if (!hook) fail("register_post_accumulate_grad_hook: the hook is empty");
  detail::Registry& hooks = detail::registry();
  const std::lock_guard lock(hooks.mutex);
  auto [entry, added] = hooks.leaves.try_emplace(leaf.impl(), detail::HookedLeaf{leaf, {}});
  if (added) detail::hooked_leaves.fetch_add(1, std::memory_order_relaxed);
  entry->second.hooks.push_back({++hooks.last_id, std::move(hook)});
  return HookHandle(hooks.last_id);
}

}  // namespace ag
