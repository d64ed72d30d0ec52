#pragma once

// Watching a long run: a progress bar redrawn in place on a terminal, plain lines in a log, and the process's
// resident memory, to see that it stays flat from epoch to epoch.

#include <chrono>
#include <cstdint>
#include <string>

namespace fashion_mnist {

bool stdout_is_terminal();

// Progress through `total` samples with the running loss and accuracy, the speed and the time left. On a terminal a
// bar is redrawn in place, at most ten times a second; otherwise a plain line is printed at every tenth of the way,
// so that logs stay short.
class ProgressBar {
 public:
  ProgressBar(std::string label, std::int64_t total, bool terminal);

  void update(std::int64_t done, double loss, double accuracy);
  // Clears the bar from the terminal, so that a summary can take its line.
  void clear();
  double seconds() const;

 private:
  std::string figures(std::int64_t done, double loss, double accuracy) const;

  std::string label_;
  std::int64_t total_;
  bool terminal_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_drawn_;
  std::int64_t tenths_printed_ = 0;
};

// This process's resident memory in MiB (VmRSS in /proc/self/status), or -1 where that is not available.
double resident_memory_mib();

}  // namespace fashion_mnist
