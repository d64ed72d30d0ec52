#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// Anomaly detection, as torch.autograd.detect_anomaly: while on, every recorded op checks its result in the
/// forward pass and every gradient it sends back, and throws ag::Error at the first NaN or Inf, naming the op,
/// its input shapes, its sequence number in the forward pass and any labels. Off by default; per thread.

#include <autograd/grad_mode.hpp>

namespace ag {

namespace detail {
inline thread_local bool anomaly_enabled = false;
}

/// Whether anomaly detection is on for this thread.
inline bool is_anomaly_enabled() { return detail::anomaly_enabled; }
/// Turns anomaly detection on this thread on or off until changed again: ops then throw ag::Error at the first NaN
/// or Inf in a result or a gradient.
inline void set_detect_anomaly(bool enabled) { detail::anomaly_enabled = enabled; }

/// Turns anomaly detection on for this thread for its scope, as torch.autograd.detect_anomaly(). The checks cost a
/// pass over every result and gradient, so it is for hunting a NaN, not for training runs.
class DetectAnomalyGuard : detail::ScopedSwitch {
 public:
  /// Turns detection on until the guard goes out of scope, then restores the previous setting.
  DetectAnomalyGuard() : ScopedSwitch(detail::anomaly_enabled, true) {}
};

}  // namespace ag

#pragma GCC visibility pop
