#pragma once

// What every benchmark program shares: its flags, best-of-N timing, its own peak memory, and the one
// machine-readable RESULT line that bench/run reads. Each program times one side (ours or a peer), so that
// its peak RSS is that side's alone.

#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bench {

// Flags of the form --name N, plus --quick (a short run, for the tests and bench/run --quick). Any other flag,
// or a value that is not a positive integer, ends the program with a message naming the accepted flags.
class Args {
 public:
  Args(int argc, char** argv, std::initializer_list<std::string_view> value_flags = {}) {
    for (int i = 1; i < argc; ++i) {
      const std::string_view flag = argv[i];
      if (flag == "--quick") {
        quick_ = true;
        continue;
      }
      bool known = false;
      for (std::string_view accepted : value_flags) known = known || flag == accepted;
      char* end = nullptr;
      const std::int64_t value = i + 1 < argc ? std::strtoll(argv[i + 1], &end, 10) : 0;
      if (!known || value <= 0 || *end != '\0') usage(argv[0], flag, value_flags);
      values_.emplace_back(flag, value);
      ++i;
    }
  }

  bool quick() const { return quick_; }
  // A count that --quick shortens: --name N wins, then --quick's value, then the full run's.
  std::int64_t count(std::string_view name, std::int64_t full, std::int64_t quick_value) const {
    for (const auto& [flag, value] : values_)
      if (flag == name) return value;
    return quick_ ? quick_value : full;
  }

 private:
  [[noreturn]] static void usage(const char* program, std::string_view flag,
                                 std::initializer_list<std::string_view> value_flags) {
    std::fprintf(stderr, "%s: bad flag or value at '%.*s'; accepted: --quick", program, static_cast<int>(flag.size()),
                 flag.data());
    for (std::string_view accepted : value_flags)
      std::fprintf(stderr, ", %.*s N", static_cast<int>(accepted.size()), accepted.data());
    std::fprintf(stderr, " (N a positive integer)\n");
    std::exit(2);
  }

  bool quick_ = false;
  std::vector<std::pair<std::string_view, std::int64_t>> values_;
};

// The fastest of `repetitions` runs of `run`, in seconds: the least disturbed by the rest of the machine.
template <class F>
double best_seconds(std::int64_t repetitions, F&& run) {
  double best = 1e300;
  for (std::int64_t r = 0; r < repetitions; ++r) {
    const auto start = std::chrono::steady_clock::now();
    run();
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    if (elapsed.count() < best) best = elapsed.count();
  }
  return best;
}

// This process's peak resident set so far, in KiB (Linux reports ru_maxrss in KiB).
inline long peak_rss_kb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// Facts about a run worth keeping next to its time (node counts, final losses, dtype); values without spaces.
using Details = std::vector<std::pair<std::string, std::string>>;

// Prints "RESULT benchmark=... side=... value=... unit=... maxrss_kb=... [key=value...]".
inline void print_result(std::string_view benchmark, std::string_view side, double value, std::string_view unit,
                         const Details& details = {}) {
  std::printf("RESULT benchmark=%.*s side=%.*s value=%.6g unit=%.*s maxrss_kb=%ld", static_cast<int>(benchmark.size()),
              benchmark.data(), static_cast<int>(side.size()), side.data(), value, static_cast<int>(unit.size()),
              unit.data(), peak_rss_kb());
  for (const auto& [key, text] : details) std::printf(" %s=%s", key.c_str(), text.c_str());
  std::printf("\n");
  std::fflush(stdout);
}

inline std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.10g", value);
  return text;
}

}  // namespace bench
