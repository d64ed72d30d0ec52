#pragma once

namespace ag {

namespace detail {
inline thread_local bool grad_enabled = true;
}

// Whether ops on this thread record a graph.
inline bool is_grad_enabled() { return detail::grad_enabled; }
inline void set_grad_enabled(bool enabled) { detail::grad_enabled = enabled; }

// Turns graph recording off on this thread for its scope, as torch::NoGradGuard.
class NoGradGuard {
 public:
  NoGradGuard() : previous_(detail::grad_enabled) { detail::grad_enabled = false; }
  ~NoGradGuard() { detail::grad_enabled = previous_; }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace ag
