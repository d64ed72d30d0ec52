#pragma once

// Anomaly detection, as torch.autograd.detect_anomaly: while on, every recorded op checks its result in the
// forward pass and every gradient it sends back, and throws ag::Error at the first NaN or Inf, naming the op,
// its input shapes, its sequence number in the forward pass and any labels. Off by default; per thread.

#include <autograd/grad_mode.hpp>

namespace ag {

namespace detail {
inline thread_local bool anomaly_enabled = false;
}

inline bool is_anomaly_enabled() { return detail::anomaly_enabled; }
inline void set_detect_anomaly(bool enabled) { detail::anomaly_enabled = enabled; }

class DetectAnomalyGuard : detail::ScopedSwitch {
 public:
  DetectAnomalyGuard() : ScopedSwitch(detail::anomaly_enabled, true) {}
};

}  // namespace ag
