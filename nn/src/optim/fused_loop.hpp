#pragma once

// What the optimisers' update loops share. Each rule is one loop over a parameter's elements, templated on the
// settings that change its arithmetic (momentum or not, weight decay or not, ...), so that the loop has no
// per-element branch and the compiler vectorises it: one pass over memory per step instead of one per tensor op.

#include <autograd/detail/storage.hpp>
#include <autograd/dtype.hpp>
#include <autograd/error.hpp>
#include <autograd/tensor.hpp>

#include <type_traits>

namespace ag::optim::detail {

// The elements of `tensor`, to be written by a loop. The write counts as an in-place one (the version goes up), as
// with the in-place ops, so that a graph that saved the old values refuses to use them.
template <class T>
T* written(Tensor tensor) {
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

}  // namespace ag::optim::detail
