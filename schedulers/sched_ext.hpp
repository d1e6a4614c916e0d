// sched_ext as the kernel shows it (sysfs, /dev/kmsg, SysRq) and the rules that turn those
// observations into "serving" or "ejected, because ...". Internal to the schedulers library;
// the paths are parameters so the state machine can be unit-tested on a temporary directory.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "base/unique_fd.hpp"
#include "schedulers/scheduler.hpp"

namespace scxlab::schedulers {

struct HostPaths {
  std::string sched_ext = "/sys/kernel/sched_ext";
  std::string kmsg = "/dev/kmsg";
  std::string sysrq_trigger = "/proc/sysrq-trigger";
  std::string cpu_sysfs = "/sys/devices/system/cpu";
  std::string bpffs = "/sys/fs/bpf";  // mounted while a scheduler runs, if it was not
  std::string mounts = "/proc/self/mounts";
  std::string proc = "/proc";  // where the holders of a foreign scheduler are looked for
};

SchedExtStatus read_sched_ext_status(const std::string& root);

// New kernel log records from the moment of construction on (the cursor seeks to the end).
// Works on /dev/kmsg (one record per read) and on a plain file (a test double).
class KmsgCursor {
 public:
  explicit KmsgCursor(const std::string& path);
  KmsgCursor(const KmsgCursor&) = delete;
  KmsgCursor& operator=(const KmsgCursor&) = delete;

  // Reads what arrived since the last call and keeps the sched_ext lines (the last 64).
  void poll();
  const std::deque<std::string>& sched_ext_lines() const { return lines_; }
  const std::string& error() const { return error_; }  // why the log cannot be read, or ""

 private:
  void take(const std::string& record);
  base::UniqueFd fd_;
  std::string error_;
  std::string partial_;
  std::deque<std::string> lines_;
};

// One look at the kernel and the scheduler process while starting or running.
struct Observation {
  SchedExtStatus status;
  bool process_alive = true;
  std::string process_exit;  // "exited with status 1", "killed by SIGKILL" when !process_alive
};

// Starting: has the scheduler attached? nullopt = keep waiting; "" = serving; otherwise the
// reason it will not serve.
std::optional<std::string> judge_start(const Observation& o, unsigned long long enable_seq_before,
                                       const std::string& ops_prefix);

// Running: still the same instance serving? "" = yes, otherwise why not.
std::string judge_running(const Observation& o, unsigned long long enable_seq_serving,
                          const std::string& ops_prefix);

// The kernel's and the scheduler's own words on why it stopped: the `disabled (<reason>)`
// line and the exit-message lines after it (error text, stall) from the kernel log, then
// the `EXIT:` line of its output (stdout or stderr).
std::string explain_exit(const std::deque<std::string>& kmsg_lines, const std::string& output_text);

// The last `n` non-empty lines of a text.
std::string tail_lines(const std::string& text, size_t n);

// Without terminal escape sequences (colours, cursor moves): Rust schedulers log through
// `tracing` with ANSI colours.
std::string strip_ansi(const std::string& text);

// The last `n` lines of a scheduler's stdout and of its stderr, colours stripped, each under
// a heading ("  scheduler stdout:"); "  (the scheduler printed nothing)" when both are empty.
std::string output_tails(const std::string& stdout_text, const std::string& stderr_text, size_t n);

}  // namespace scxlab::schedulers
