#include "schedulers/sched_ext.hpp"

#include <cerrno>
#include <fcntl.h>
#include <regex>
#include <sstream>
#include <unistd.h>

#include <fmt/format.h>

#include "schedulers/host_io.hpp"

namespace scxlab::schedulers {
namespace {

constexpr size_t kKeptKmsgLines = 64;

std::string read_trimmed(const std::string& path) {
  const auto r = host::read_file(path);
  return r.ok ? host::trim(r.text) : "";
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

std::string describe(const SchedExtStatus& s) {
  if (!s.present) return "sched_ext is absent";
  return fmt::format("state {}, ops '{}', enable_seq {}", s.state, s.ops, s.enable_seq);
}

}  // namespace

SchedExtStatus read_sched_ext_status(const std::string& root) {
  SchedExtStatus s;
  const auto state = host::read_file(root + "/state");
  if (!state.ok) return s;
  s.present = true;
  s.state = host::trim(state.text);
  s.ops = read_trimmed(root + "/root/ops");
  const auto seq = read_trimmed(root + "/enable_seq");
  s.enable_seq = seq.empty() ? 0 : std::strtoull(seq.c_str(), nullptr, 10);
  return s;
}

SchedExtStatus read_sched_ext_status() { return read_sched_ext_status(HostPaths{}.sched_ext); }

KmsgCursor::KmsgCursor(const std::string& path) {
  fd_.reset(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd_) {
    error_ = fmt::format("kernel log {} unreadable: {}", path, host::errno_text(errno));
    return;
  }
  ::lseek(fd_.get(), 0, SEEK_END);
}

void KmsgCursor::take(const std::string& record) {
  // /dev/kmsg records are "prio,seq,usec,flags;text"; continuation lines start with a space.
  if (record.empty() || record[0] == ' ') return;
  const auto semi = record.find(';');
  const std::string text = semi == std::string::npos ? record : record.substr(semi + 1);
  if (text.find("sched_ext") == std::string::npos) return;
  lines_.push_back(text);
  if (lines_.size() > kKeptKmsgLines) lines_.pop_front();
}

void KmsgCursor::poll() {
  if (!fd_) return;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd_.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EPIPE) continue;  // records were overwritten before we read them
    if (n <= 0) break;                      // EAGAIN: nothing new; 0: end of a plain file
    partial_.append(buf, static_cast<size_t>(n));
    for (auto nl = partial_.find('\n'); nl != std::string::npos; nl = partial_.find('\n')) {
      take(partial_.substr(0, nl));
      partial_.erase(0, nl + 1);
    }
  }
}

std::optional<std::string> judge_start(const Observation& o, unsigned long long enable_seq_before,
                                       const std::string& ops_prefix) {
  const auto& s = o.status;
  const bool attached = s.state == "enabled" && s.enable_seq > enable_seq_before;
  if (attached && starts_with(s.ops, ops_prefix)) return "";
  if (attached && !s.ops.empty()) {
    return fmt::format("another BPF scheduler attached instead: ops '{}' (expected '{}...')", s.ops, ops_prefix);
  }
  if (!o.process_alive) return fmt::format("the scheduler process {} before serving ({})", o.process_exit, describe(s));
  return std::nullopt;
}

std::string judge_running(const Observation& o, unsigned long long enable_seq_serving,
                          const std::string& ops_prefix) {
  const auto& s = o.status;
  if (!o.process_alive) return fmt::format("the scheduler process {} ({})", o.process_exit, describe(s));
  if (s.state != "enabled") return fmt::format("sched_ext left 'enabled' ({})", describe(s));
  if (s.enable_seq != enable_seq_serving) {
    return fmt::format("the scheduler re-attached (enable_seq {} -> {}): a restart during the trial",
                       enable_seq_serving, s.enable_seq);
  }
  if (!starts_with(s.ops, ops_prefix)) return fmt::format("another BPF scheduler is loaded: ops '{}'", s.ops);
  return "";
}

std::string explain_exit(const std::deque<std::string>& kmsg_lines, const std::string& stderr_text) {
  std::vector<std::string> parts;
  // The disable line, then the exit message lines it is followed by ("sched_ext: <ops>:
  // injected error ...", "...: comm[pid] failed to run for 5.2s", "watchdog failed to check
  // in ..."); not the enable lines of this or an earlier instance.
  bool after_disable = false;
  for (const auto& line : kmsg_lines) {
    if (line.find("BPF scheduler \"") != std::string::npos) {
      after_disable = line.find("disabled (") != std::string::npos;
      if (after_disable) parts.push_back("kernel: " + line);
    } else if (after_disable || line.find("failed to run for") != std::string::npos) {
      parts.push_back("kernel: " + line);
    }
  }
  std::istringstream in(stderr_text);
  for (std::string line; std::getline(in, line);) {
    const auto at = line.find("EXIT: ");
    if (at != std::string::npos) parts.push_back("scheduler: " + host::trim(line.substr(at)));
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

std::string tail_lines(const std::string& text, size_t n) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!host::trim(line).empty()) lines.push_back(line);
  }
  std::string out;
  for (size_t i = lines.size() > n ? lines.size() - n : 0; i < lines.size(); ++i) {
    out += (out.empty() ? "" : "\n") + lines[i];
  }
  return out;
}

std::string strip_ansi(const std::string& text) {
  // CSI sequences (ESC [ parameters intermediates final) and OSC sequences (ESC ] ... BEL).
  static const std::regex escape("\x1b\\[[0-?]*[ -/]*[@-~]|\x1b\\][^\x07]*\x07|\x1b[@-Z\\\\-_]");
  return std::regex_replace(text, escape, "");
}

std::string output_tails(const std::string& stdout_text, const std::string& stderr_text, size_t n) {
  std::string out;
  for (const auto& [stream, text] : {std::pair{"stdout", &stdout_text}, std::pair{"stderr", &stderr_text}}) {
    const auto tail = tail_lines(strip_ansi(*text), n);
    if (tail.empty()) continue;
    out += fmt::format("{}  scheduler {} (last lines):", out.empty() ? "" : "\n", stream);
    std::istringstream lines(tail);
    for (std::string line; std::getline(lines, line);) out += "\n    " + line;
  }
  return out.empty() ? "  (the scheduler printed nothing)" : out;
}

}  // namespace scxlab::schedulers
