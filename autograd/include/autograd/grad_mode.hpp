#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

namespace ag {

namespace detail {
inline thread_local bool grad_enabled = true;

// Sets one of this thread's switches for a scope and restores its previous value afterwards.
class ScopedSwitch {
 public:
  ScopedSwitch(bool& flag, bool value) : flag_(flag), previous_(flag) { flag_ = value; }
  ~ScopedSwitch() { flag_ = previous_; }
  ScopedSwitch(const ScopedSwitch&) = delete;
  ScopedSwitch& operator=(const ScopedSwitch&) = delete;

 private:
  bool& flag_;
  bool previous_;
};
}  // namespace detail

/// Whether ops on this thread record a graph (on by default).
inline bool is_grad_enabled() { return detail::grad_enabled; }
/// Turns graph recording on this thread on or off until changed again; NoGradGuard and AutoGradMode do it for a
/// scope.
inline void set_grad_enabled(bool enabled) { detail::grad_enabled = enabled; }

/// Turns graph recording off on this thread for its scope, as torch::NoGradGuard.
class NoGradGuard : detail::ScopedSwitch {
 public:
  /// Turns recording off until the guard goes out of scope, then restores the previous mode.
  NoGradGuard() : ScopedSwitch(detail::grad_enabled, false) {}
};

/// Sets graph recording on this thread for its scope, as torch::AutoGradMode: AutoGradMode enable(true) records
/// again inside a NoGradGuard.
class AutoGradMode : detail::ScopedSwitch {
 public:
  /// Sets recording to `enabled` until the guard goes out of scope, then restores the previous mode.
  explicit AutoGradMode(bool enabled) : ScopedSwitch(detail::grad_enabled, enabled) {}
};

}  // namespace ag

#pragma GCC visibility pop
