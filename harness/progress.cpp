#include "harness/progress.hpp"

#include <cstdio>
#include <fmt/format.h>
#include <unistd.h>

namespace scxlab::harness {

std::string format_duration(double seconds) {
  const auto s = static_cast<long>(seconds + 0.5);
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

Progress::Progress(std::size_t total_trials, bool quiet)
    : total_(total_trials), tty_(isatty(STDERR_FILENO) != 0), quiet_(quiet) {}

void Progress::begin_trial(std::size_t done_before, const std::string& what) {
  done_ = done_before;
  current_ = what;
  waiting_.clear();
  if (tty_ && !quiet_) draw();
}

void Progress::end_trial(const std::string& outcome, double seconds) {
  ++done_;
  waiting_.clear();
  ++measured_;
  measured_seconds_ += seconds;
  if (quiet_) return;
  if (tty_) {
    draw();
  } else {
    std::fprintf(stderr, "[%zu/%zu] %s: %s (%.1f s)\n", done_, total_, current_.c_str(),
                 outcome.c_str(), seconds);
  }
}

void Progress::note(const std::string& line) {
  if (quiet_) return;
  std::fprintf(stderr, tty_ ? "\r\033[K%s\n" : "%s\n", line.c_str());
  if (tty_ && !current_.empty()) draw();
}

void Progress::waiting(const std::string& what, int seconds) {
  if (quiet_) return;
  waiting_ = fmt::format("{}: {} s", what, seconds);
  if (tty_) {
    draw();
  } else if (seconds % 10 == 0) {
    std::fprintf(stderr, "  %s\n", waiting_.c_str());
  }
}

void Progress::draw() {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  std::string eta = "ETA --";
  if (measured_ > 0 && total_ > done_) {
    eta = "ETA " + format_duration(measured_seconds_ / static_cast<double>(measured_) *
                                   static_cast<double>(total_ - done_));
  }
  const std::string waiting = waiting_.empty() ? "" : "  (" + waiting_ + ")";
  std::fprintf(stderr, "\r\033[K[%zu/%zu] %s  %s elapsed, %s%s", done_, total_, current_.c_str(),
               format_duration(elapsed).c_str(), eta.c_str(), waiting.c_str());
  std::fflush(stderr);
}

void Progress::finish() {
  if (tty_ && !quiet_) std::fprintf(stderr, "\r\033[K");
}

}  // namespace scxlab::harness
