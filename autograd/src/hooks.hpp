#pragma once

// The engine's side of register_post_accumulate_grad_hook: which leaves of a pass have hooks, and after which node
// each leaf has received all of its gradient.

#include <autograd/tensor.hpp>

#include <atomic>
#include <cstddef>
#include <functional>
#include <span>
#include <vector>

namespace ag::detail {

// Leaves that have hooks, across all threads: while it is 0 (no hook anywhere), a pass skips the planning below.
extern std::atomic<std::size_t> hooked_leaves;

// The hooks one backward pass calls.
class HookSchedule {
 public:
  // Finds the hooked leaves among the inputs of `order`'s nodes (the pass's post-order), and for each the node that
  // contributes to its gradient last: the one nearest the start of `order`, which the pass runs last.
  void plan(std::span<const Tensor> order);
  bool empty() const { return next_ == calls_.size(); }
  // Calls the hooks of the leaves whose last contributing node, order[position], has just run.
  void run_after(std::size_t position);

 private:
  struct Call {
    std::size_t position;
    Tensor leaf;
    std::function<void(const Tensor&)> hook;
  };
  std::vector<Call> calls_;  // by position, highest first: the order in which the pass reaches them
  std::size_t next_ = 0;
};

}  // namespace ag::detail
