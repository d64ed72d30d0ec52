#include <autograd/function.hpp>
#include <autograd/inspect.hpp>

#include <unordered_set>
#include <vector>

namespace ag {

std::int64_t graph_bytes(const Tensor& output) {
  std::unordered_set<const detail::TensorImpl*> seen;
  std::unordered_set<const detail::Storage*> counted;
  std::int64_t bytes = 0;
  std::vector<const detail::TensorImpl*> pending{output.impl()};
  while (!pending.empty()) {  // iterative, so deep graphs are fine
    const detail::TensorImpl* impl = pending.back();
    pending.pop_back();
    if (!impl->grad_fn || !seen.insert(impl).second) continue;
    if (impl->storage && counted.insert(impl->storage).second)
      bytes += static_cast<std::int64_t>(impl->storage->nbytes);
    for (const Tensor& input : impl->grad_fn->inputs()) pending.push_back(input.impl());
  }
  return bytes;
}

}  // namespace ag
