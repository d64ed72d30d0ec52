#pragma once

#include <autograd/detail/public_api.hpp>

#pragma GCC visibility push(default)  // the public API (see detail/public_api.hpp)

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace ag {

/// Every misuse of the library throws this: the message names the op, the shapes and what was expected.
class Error : public std::runtime_error {
 public:
  /// An error whose what() is `message`.
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

/// Throws ag::Error with the message formatted, in fmt syntax, from `format` and `args`:
/// `fail("{}: dim {} is out of range", op, dim)`.
template <class... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace ag

#pragma GCC visibility pop
