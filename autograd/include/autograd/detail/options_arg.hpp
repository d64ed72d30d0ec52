#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <utility>

// One setting of an options class, as LibTorch's TORCH_ARG: a getter, and a setter that returns a changed copy,
// so that options read as one expression (LinearOptions().bias(false).init(Init::Zeros)) and a shared options
// value is never changed behind its other users. The default follows the macro:
//
//   class LinearOptions {
//     AG_ARG(bool, bias) = true;
//   };
//
// The macro leaves the class in a private section: write `public:` after it for further public members.
#define AG_ARG(T, name)                              \
 public:                                             \
  auto name(T new_##name) const {                    \
    auto copy = *this;                               \
    copy.name##_ = std::move(new_##name);            \
    return copy;                                     \
  }                                                  \
  const T& name() const noexcept { return name##_; } \
                                                     \
 private:                                            \
  T name##_

#pragma GCC visibility pop
