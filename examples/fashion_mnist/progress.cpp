#include "fashion_mnist/progress.hpp"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <utility>

namespace fashion_mnist {

namespace {

constexpr std::size_t kMaxBarWidth = 30;
constexpr std::size_t kMinBarWidth = 5;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

std::string minutes_and_seconds(double seconds) {
  const auto whole = static_cast<std::int64_t>(seconds + 0.5);
  return fmt::format("{}:{:02}", whole / 60, whole % 60);
}

std::size_t terminal_columns() {
  winsize size{};
  return ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0 ? size.ws_col : 80;
}

}  // namespace

bool stdout_is_terminal() { return isatty(STDOUT_FILENO) == 1; }

ProgressBar::ProgressBar(std::string label, std::int64_t total, bool terminal)
    : label_(std::move(label)), total_(total), terminal_(terminal), start_(std::chrono::steady_clock::now()) {}

double ProgressBar::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::string ProgressBar::figures(std::int64_t done, double loss, double accuracy) const {
  const double rate = static_cast<double>(done) / seconds();
  const std::size_t digits = fmt::formatted_size("{}", total_);
  return fmt::format("{:>{}}/{} loss {:.4f} acc {:4.1f}% {:.0f} samples/s {} left", done, digits, total_, loss,
                     100 * accuracy, rate, minutes_and_seconds(static_cast<double>(total_ - done) / rate));
}

void ProgressBar::update(std::int64_t done, double loss, double accuracy) {
  if (terminal_) {
    const auto now = std::chrono::steady_clock::now();
    if (done < total_ && now - last_drawn_ < kRedrawInterval) return;
    last_drawn_ = now;
    // The line must fit the terminal, or each \r would return to a wrapped line's start: the bar takes what is left.
    const std::string text = figures(done, loss, accuracy);
    const std::size_t columns = terminal_columns();
    const std::size_t fixed = label_.size() + text.size() + 4;
    const std::size_t width = columns > fixed + kMinBarWidth ? std::min(columns - fixed - 1, kMaxBarWidth) : 0;
    const auto filled =
        static_cast<std::size_t>(static_cast<double>(width) * static_cast<double>(done) / static_cast<double>(total_));
    std::string line =
        width ? fmt::format("{} [{}{}] {}", label_, std::string(filled, '='), std::string(width - filled, ' '), text)
              : fmt::format("{} {}", label_, text);
    line.resize(std::min(line.size(), columns - 1));
    fmt::print("\r{}\x1b[K", line);
  } else {
    const std::int64_t tenths = 10 * done / total_;
    if (tenths == tenths_printed_) return;
    tenths_printed_ = tenths;
    fmt::print("{}: {}\n", label_, figures(done, loss, accuracy));
  }
  std::fflush(stdout);
}

void ProgressBar::clear() {
  if (terminal_) fmt::print("\r\x1b[K");
}

double resident_memory_mib() {
  std::ifstream status("/proc/self/status");
  for (std::string key; status >> key;) {
    if (key == "VmRSS:") {
      double kib = 0;
      status >> kib;
      return kib / 1024;
    }
    status.ignore(4096, '\n');
  }
  return -1;
}

}  // namespace fashion_mnist
