#pragma once

// What the optimisers' update loops share. Each rule is one loop over a parameter's elements, templated on the
// settings that change its arithmetic (momentum or not, weight decay or not, ...), so that the loop has no
// per-element branch and the compiler vectorises it: one pass over memory per step instead of one per tensor op.
// run_loop() runs a loop compiled for the best vector instructions the CPU has (nn/optim/cpu_capability.hpp); the
// files of the loops are compiled with -ffp-contract=off and the clones do not enable FMA, so that every path
// rounds each operation as the baseline does and gives bitwise its values.

#include <autograd/detail/storage.hpp>
#include <autograd/dtype.hpp>
#include <autograd/error.hpp>
#include <autograd/tensor.hpp>
#include <nn/optim/cpu_capability.hpp>

#include <atomic>
#include <type_traits>

#if defined(__x86_64__) && defined(__GNUC__)
#define AG_OPTIM_X86_CLONES 1
#else
#define AG_OPTIM_X86_CLONES 0
#endif

namespace ag::optim::detail {

// The elements of `tensor`, to be written by a loop. The write counts as an in-place one (the version goes up), as
// with the in-place ops, so that a graph that saved the old values refuses to use them.
template <class T>
T* written(Tensor& tensor) {
  T* values = tensor.mutable_data<T>();  // throws if the values were freed
  ++tensor.impl()->storage->version;
  return values;
}

// Calls loop(T{}) with the parameter's element type, float or double, once the gradient is checked to fit it.
template <class F>
void with_element_type(const char* optimizer, const Tensor& parameter, const Tensor& gradient, F&& loop) {
  if (gradient.shape() != parameter.shape() || gradient.dtype() != parameter.dtype())
    fail("{}: the gradient is {} of shape {}, but its parameter is {} of shape {}", optimizer,
         dtype_name(gradient.dtype()), gradient.shape(), dtype_name(parameter.dtype()), parameter.shape());
  dispatch_floating(parameter.dtype(), optimizer, loop);
}

// Calls f(std::bool_constant<flag>{}...) for the run-time flags, so that a loop is instantiated for each
// combination: with_flags([&](auto momentum, auto nesterov) { loop<decltype(momentum)::value, ...>(...); }, m, n).
template <bool... kKnown, class F>
void with_flags(F&& f) {
  f(std::bool_constant<kKnown>{}...);
}
template <bool... kKnown, class F, class... Rest>
void with_flags(F&& f, bool flag, Rest... rest) {
  if (flag)
    with_flags<kKnown..., true>(f, rest...);
  else
    with_flags<kKnown..., false>(f, rest...);
}

// The capability run_loop() uses; set_cpu_capability() changes it.
std::atomic<CpuCapability>& loop_capability_slot();
inline CpuCapability loop_capability() { return loop_capability_slot().load(std::memory_order_relaxed); }

// kLoop, a function template instance marked always_inline, is compiled into each of these with their instructions.
template <auto kLoop, class... Args>
void run_default(Args... args) {
  kLoop(args...);
}
#if AG_OPTIM_X86_CLONES
template <auto kLoop, class... Args>
[[gnu::target("avx2")]] void run_avx2(Args... args) {
  kLoop(args...);
}
template <auto kLoop, class... Args>
[[gnu::target("avx512f,prefer-vector-width=512")]] void run_avx512(Args... args) {
  kLoop(args...);
}
#endif

// Runs kLoop(args...) compiled for the capability chosen at start-up: run_loop<&sgd_loop<float, ...>>(n, p, ...).
template <auto kLoop, class... Args>
void run_loop(Args... args) {
#if AG_OPTIM_X86_CLONES
  switch (loop_capability()) {
    case CpuCapability::Avx512:
      return run_avx512<kLoop>(args...);
    case CpuCapability::Avx2:
      return run_avx2<kLoop>(args...);
    case CpuCapability::Default:
      break;
  }
#endif
  run_default<kLoop>(args...);
}

}  // namespace ag::optim::detail
