// Progress of a run on stderr: a live line with ETA on a terminal, one line per trial
// otherwise (CI logs), so a user always knows what is running and how long is left.
#pragma once

#include <chrono>
#include <string>

namespace scxlab::harness {

class Progress {
 public:
  Progress(std::size_t total_trials, bool quiet);

  void set_total(std::size_t total) { total_ = total; }
  std::size_t total() const { return total_; }
  void begin_trial(std::size_t done_before, const std::string& what);
  // `seconds` is the trial's own duration, used for the ETA.
  void end_trial(const std::string& outcome, double seconds);
  void note(const std::string& line);  // a message that must not be overwritten
  // The current trial is waiting for something ("waiting for scx_lavd to attach", 14 s): on
  // a terminal beside the live line, in a log every 10 s.
  void waiting(const std::string& what, int seconds);
  void finish();

 private:
  void draw();
  std::size_t total_, done_ = 0, measured_ = 0;
  double measured_seconds_ = 0;
  bool tty_, quiet_;
  std::string current_, waiting_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

std::string format_duration(double seconds);  // "3m12s", "45s", "1h05m"

}  // namespace scxlab::harness
