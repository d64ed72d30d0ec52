#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

/// @file
/// ag::run_kernel: how an op computes its values so that a trace (autograd/trace.hpp) can repeat them. Every
/// built-in op writes tensor values only inside run_kernel; a custom op (make_op) that does the same can be traced
/// too, and one that writes values otherwise is refused while a trace records.

#include <autograd/detail/trace_state.hpp>
#include <autograd/tensor.hpp>

#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace ag {

namespace detail {

// A kernel as a trace keeps it: the function and copies of its arguments (tensor handles keep their values alive).
class RecordedKernel {
 public:
  explicit RecordedKernel(const char* name) : name_(name) {}
  virtual ~RecordedKernel() = default;
  virtual void run() = 0;
  const char* name() const { return name_; }

 private:
  const char* name_;
};

template <class Kernel, class... Args>
class RecordedKernelOf final : public RecordedKernel {
 public:
  RecordedKernelOf(const char* name, Kernel kernel, std::tuple<Args...> args)
      : RecordedKernel(name), kernel_(std::move(kernel)), args_(std::move(args)) {}
  void run() override { std::apply(kernel_, args_); }

 private:
  Kernel kernel_;
  std::tuple<Args...> args_;
};

// Runs `kernel` and hands it to this thread's recording trace.
void record_kernel(std::unique_ptr<RecordedKernel> kernel);

// run_kernel while a trace records; out of line, so that the eager path stays small enough to inline.
template <class Kernel, class... Args>
[[gnu::noinline]] void run_and_record(const char* name, Kernel&& kernel, const Args&... args);

inline void note_held_argument(const Tensor& tensor) {
  if (tensor.defined()) note_held(tensor.impl());
}
inline void note_held_argument(const std::vector<Tensor>& tensors) {
  for (const Tensor& tensor : tensors) note_held_argument(tensor);
}
template <class Other>
void note_held_argument(const Other&) {}

// Counts a kernel running while a trace records, so that its writes are allowed.
class KernelScope {
 public:
  KernelScope() { ++kernel_depth; }
  ~KernelScope() { --kernel_depth; }
  KernelScope(const KernelScope&) = delete;
  KernelScope& operator=(const KernelScope&) = delete;
};

template <class Kernel, class... Args>
void run_and_record(const char* name, Kernel&& kernel, const Args&... args) {
  auto recorded = std::make_unique<RecordedKernelOf<std::decay_t<Kernel>, std::decay_t<Args>...>>(
      name, std::forward<Kernel>(kernel), std::tuple<std::decay_t<Args>...>(args...));
  (note_held_argument(args), ...);
  {
    KernelScope scope;
    recorded->run();
  }
  record_kernel(std::move(recorded));
}

}  // namespace detail

/// Runs `kernel(args...)`, the code that computes an op's values; while a trace records on this thread, the trace
/// also keeps it, with copies of `args`, to run again on each replay. So `kernel` must get everything it reads or
/// writes through `args` (tensors, which a copy keeps alive, and numbers) or capture it by value: a reference to a
/// local would dangle by the time of a replay. It must not allocate the tensors it writes (a replay writes into the
/// same ones) nor depend on values read outside it. Outside a recording it costs nothing but the call:
/// @code
/// ag::Tensor out = ag::empty_like(x);
/// ag::run_kernel("cube", [](const ag::Tensor& x, ag::Tensor& out) {
///   const float* px = x.data<float>();
///   float* po = out.mutable_data<float>();
///   for (std::int64_t i = 0; i < x.numel(); ++i) po[i] = px[i] * px[i] * px[i];
/// }, x, out);
/// @endcode
/// A kernel that runs inside another (an optimiser's update calling ops) is part of the outer one. `name` must
/// outlive the trace (a string literal).
template <class Kernel, class... Args>
void run_kernel(const char* name, Kernel&& kernel, Args&&... args) {
  if (detail::outside_recorded_kernel()) [[unlikely]]
    return detail::run_and_record(name, std::forward<Kernel>(kernel), args...);
  kernel(args...);
}

}  // namespace ag

#pragma GCC visibility pop
