#pragma once

// A small command-line parser for the examples: --name value flags with defaults and a --help text.

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace examples {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Args {
 public:
  Args(std::string program, std::string summary) : program_(std::move(program)), summary_(std::move(summary)) {}

  // Declares a flag before parse(); `fallback` is its value when not given.
  Args& flag(const std::string& name, std::string fallback, std::string help);
  // Declares a switch: a flag without a value, off unless given.
  Args& toggle(const std::string& name, std::string help);

  // Returns false when --help was asked for (the help text is already printed). Throws UsageError on an
  // unknown flag, a missing value or a value of the wrong kind.
  bool parse(int argc, char** argv);

  std::string text(const std::string& name) const;
  std::int64_t integer(const std::string& name, std::int64_t min = 0) const;
  double real(const std::string& name) const;
  bool enabled(const std::string& name) const;

  std::string help() const;

 private:
  struct Flag {
    std::string value;
    std::string help;
    bool is_toggle = false;
  };
  std::string program_;
  std::string summary_;
  std::map<std::string, Flag> flags_;
  std::vector<std::string> order_;
};

// Runs main_body, turning a UsageError into a message and exit code 2, and any other error into exit code 1.
int run_example(int (*main_body)(int, char**), int argc, char** argv);

}  // namespace examples
