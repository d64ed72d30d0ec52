#include "common/args.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace examples {

Args& Args::flag(const std::string& name, std::string fallback, std::string help) {
  flags_[name] = Flag{std::move(fallback), std::move(help)};
  order_.push_back(name);
  return *this;
}

Args& Args::toggle(const std::string& name, std::string help) {
  flags_[name] = Flag{"", std::move(help), true};
  order_.push_back(name);
  return *this;
}

bool Args::parse(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      fmt::print("{}", help());
      return false;
    }
    if (arg.rfind("--", 0) != 0 || !flags_.count(arg.substr(2)))
      throw UsageError(fmt::format("unknown argument '{}' (see --help)", arg));
    Flag& flag = flags_[arg.substr(2)];
    if (flag.is_toggle) {
      flag.value = "on";
      continue;
    }
    if (i + 1 >= argc) throw UsageError(fmt::format("{} needs a value (see --help)", arg));
    flag.value = argv[++i];
  }
  return true;
}

std::string Args::text(const std::string& name) const { return flags_.at(name).value; }

bool Args::enabled(const std::string& name) const { return flags_.at(name).is_toggle && !text(name).empty(); }

std::int64_t Args::integer(const std::string& name, std::int64_t min) const {
  const std::string& value = text(name);
  char* end = nullptr;
  errno = 0;
  const long long parsed = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || errno == ERANGE || parsed < min)
    throw UsageError(fmt::format("--{} expects an integer of at least {}, got '{}'", name, min, value));
  return parsed;
}

double Args::real(const std::string& name) const {
  const std::string& value = text(name);
  char* end = nullptr;
  const double parsed = std::strtod(value.c_str(), &end);
  if (value.empty() || *end != '\0' || !std::isfinite(parsed))
    throw UsageError(fmt::format("--{} expects a finite number, got '{}'", name, value));
  return parsed;
}

std::string Args::help() const {
  std::string text = fmt::format("usage: {} [flags]\n{}\n\nflags:\n", program_, summary_);
  for (const std::string& name : order_) {
    const Flag& flag = flags_.at(name);
    if (flag.is_toggle)
      text += fmt::format("  --{:<16} {}\n", name, flag.help);
    else
      text += fmt::format("  --{:<16} {} (default: {})\n", name + " V", flag.help,
                          flag.value.empty() ? "none" : flag.value);
  }
  return text + "  --help             this text\n";
}

int run_example(int (*main_body)(int, char**), int argc, char** argv) {
  try {
    return main_body(argc, argv);
  } catch (const UsageError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
}

}  // namespace examples
