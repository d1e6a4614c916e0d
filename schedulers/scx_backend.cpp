#include "schedulers/scx_backend.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <optional>
#include <system_error>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/unique_fd.hpp"
#include "schedulers/foreign.hpp"
#include "schedulers/host_io.hpp"

namespace scxlab::schedulers {
namespace bp = boost::process;
namespace {

constexpr size_t kOutputTailLines = 20;  // a verifier refusal needs about that many to show why

std::string describe_exit(const siginfo_t& si) {
  if (si.si_code == CLD_EXITED) return fmt::format("exited with status {}", si.si_status);
  const char* name = sigabbrev_np(si.si_status);
  return fmt::format("was killed by SIG{}", name ? name : std::to_string(si.si_status));
}

std::string kernel_lines(const KmsgCursor& kmsg) {
  if (!kmsg.error().empty()) return kmsg.error();
  if (kmsg.sched_ext_lines().empty()) return "(no sched_ext lines)";
  std::string out;
  for (const auto& l : kmsg.sched_ext_lines()) out += "\n    " + l;
  return out;
}

std::string read_all(std::FILE* f) {
  std::string text;
  if (!f) return text;
  char buf[4096];
  off_t off = 0;
  for (ssize_t n; (n = ::pread(fileno(f), buf, sizeof buf, off)) > 0; off += n) text.append(buf, static_cast<size_t>(n));
  return text;
}

// "300 ms", "120 s"
std::string describe_bound(std::chrono::milliseconds bound) {
  if (bound.count() % 1000 != 0) return fmt::format("{} ms", bound.count());
  return fmt::format("{} s", bound.count() / 1000);
}

bool has_disable_line(const KmsgCursor& kmsg) {
  for (const auto& l : kmsg.sched_ext_lines()) {
    if (l.find("disabled (") != std::string::npos) return true;
  }
  return false;
}

base::Pipe start_pipe(const std::string& scheduler) {
  try {
    return base::make_pipe(O_CLOEXEC);
  } catch (const std::system_error& e) {
    throw StartError(fmt::format("{}: cannot start: {}", scheduler, e.what()));
  }
}

}  // namespace

// ---- SchedExtBackend ----

SchedExtBackend::SchedExtBackend(const Manifest& m, Journal& journal, BackendOptions options, HostPaths paths,
                                 Timing timing)
    : manifest_(m), journal_(journal), options_(std::move(options)), paths_(std::move(paths)), timing_(timing),
      hardware_(journal_, paths_) {}

bool SchedExtBackend::wait_for(const std::function<bool()>& done, std::chrono::milliseconds bound) const {
  const auto until = std::chrono::steady_clock::now() + bound;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(timing_.poll);  // the kernel offers no event for these files
  }
}

void SchedExtBackend::check_host_is_free() {
  if (!status().present) {
    throw StartError(fmt::format("{}: this kernel has no sched_ext ({} is absent): it needs CONFIG_SCHED_CLASS_EXT=y "
                                 "(Linux 6.12+); only the kernel default scheduler can run here",
                                 manifest_.name, paths_.sched_ext));
  }
  try {
    claim_sched_ext(journal_, options_, {paths_.sched_ext, paths_.proc, timing_.disable});
  } catch (const ForeignScheduler& e) {
    throw StartError(fmt::format("{}: {}", manifest_.name, e.what()));
  }
}

void SchedExtBackend::wait_serving(unsigned long long enable_seq_before, const std::function<Observation()>& observe,
                                   const std::function<std::string()>& details) {
  std::optional<std::string> verdict;
  Observation last;
  const auto started = std::chrono::steady_clock::now();
  int reported = 0;
  wait_for([&] {
    kmsg_->poll();
    last = observe();
    verdict = judge_start(last, enable_seq_before, manifest_.ops_prefix);
    const auto waited = static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::steady_clock::now() - started).count());
    if (!verdict && options_.on_wait && waited > reported) {
      reported = waited;
      options_.on_wait(fmt::format("waiting for {} to attach", manifest_.name), waited);
    }
    return verdict.has_value();
  }, timing_.attach);
  if (verdict && verdict->empty()) {
    serving_seq_ = last.status.enable_seq;
    ops_ = last.status.ops;
    return;
  }
  const std::string why =
      verdict ? *verdict
              : fmt::format("it did not attach within {} (state {}, ops '{}'); a slow or emulated machine may need "
                            "more: --attach-timeout SECONDS",
                            describe_bound(timing_.attach), last.status.state, last.status.ops);
  throw StartError(fmt::format("{} did not start serving: {}\n  kernel log:{}\n{}", manifest_.name, why,
                               kernel_lines(*kmsg_), details()));
}

Health SchedExtBackend::watch(const std::function<Observation()>& observe,
                              const std::function<std::string()>& scheduler_words) {
  kmsg_->poll();
  const auto o = observe();
  const auto why = judge_running(o, serving_seq_, manifest_.ops_prefix);
  if (why.empty()) return {true, o.status.state, ""};
  // Ejected: give the kernel and the scheduler a moment to say why before answering.
  wait_for([&] {
    kmsg_->poll();
    return !observe().process_alive && has_disable_line(*kmsg_);
  }, timing_.explain);
  auto words = explain_exit(kmsg_->sched_ext_lines(), scheduler_words());
  if (words.empty()) words = "no reason in the kernel log or the scheduler's output";
  return {false, status().state, why + "; " + words};
}

std::vector<std::string> SchedExtBackend::ensure_disabled() {
  std::vector<std::string> notes;
  if (wait_for([&] { return status().state == "disabled"; }, timing_.disable)) return notes;
  // Nothing else brings the kernel default back (e.g. a pinned struct_ops link outlived the
  // process): force-disable, and say so.
  const auto r = host::write_file(paths_.sysrq_trigger, "S");
  const bool ok = r.ok && wait_for([&] { return status().state == "disabled"; }, timing_.disable);
  notes.push_back(ok ? fmt::format("{}: sched_ext stayed '{}' after the scheduler stopped; forced it off with SysRq-S",
                                   manifest_.name, status().state)
                     : fmt::format("{}: sched_ext is still '{}' even after SysRq-S{}: the kernel default is NOT back",
                                   manifest_.name, status().state, r.ok ? "" : " (" + host::errno_text(r.err) + ")"));
  return notes;
}

// ---- ScxProcessBackend ----

ScxProcessBackend::ScxProcessBackend(const Manifest& m, Journal& journal, BackendOptions options, HostPaths paths,
                                     Timing timing, std::string binary)
    : SchedExtBackend(m, journal, std::move(options), std::move(paths), timing), binary_(std::move(binary)) {}

ScxProcessBackend::~ScxProcessBackend() {
  stop();
  if (out_) std::fclose(out_);
  if (err_) std::fclose(err_);
}

std::string ScxProcessBackend::stdout_text() const { return read_all(out_); }
std::string ScxProcessBackend::stderr_text() const { return read_all(err_); }

std::string ScxProcessBackend::output_tail() const {
  return output_tails(stdout_text(), stderr_text(), kOutputTailLines);
}

Observation ScxProcessBackend::observe() const {
  Observation o;
  o.status = status();
  siginfo_t si{};
  if (::waitid(P_PID, static_cast<id_t>(pid_), &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid_) {
    o.process_alive = false;
    o.process_exit = describe_exit(si);
  }
  return o;
}

void ScxProcessBackend::launch(const std::string& exe, const std::vector<std::string>& args) {
  if (out_) std::fclose(out_);
  if (err_) std::fclose(err_);
  out_ = std::tmpfile();
  err_ = std::tmpfile();
  if (!out_ || !err_) throw StartError(fmt::format("{}: cannot create files for its output: {}", manifest_.name, host::errno_text(errno)));
  // The child reports its pid and waits at a gate until the journal holds it: the journal
  // names the process before it can attach, so a crash at any moment leaves it findable.
  auto pid_pipe = start_pipe(manifest_.name);
  auto gate = start_pipe(manifest_.name);
  pid_t child_pid = 0;
  std::string journal_error;
  std::thread journaler([&] {
    if (::read(pid_pipe.read_end.get(), &child_pid, sizeof child_pid) != sizeof child_pid) return;
    try {
      journal_.started_process(exe, child_pid);
      const char go = 'g';
      if (::write(gate.write_end.get(), &go, 1) != 1) journal_error = "cannot open the start gate";
    } catch (const std::exception& e) {
      journal_error = e.what();  // the gate closes unopened: the child exits before exec
    }
    gate.write_end.reset();
  });
  // A child that never wrote its pid now reads as EOF in the journaler, which can be joined.
  const auto release_journaler = [&] {
    pid_pipe.write_end.reset();
    journaler.join();
  };
  const pid_t parent = ::getpid();
  const int gate_read = gate.read_end.get(), gate_write = gate.write_end.get(), pid_write = pid_pipe.write_end.get();
  std::error_code ec;
  bp::environment env = boost::this_process::environment();
  if (options_.scx_timeout_ms) env["SCX_TIMEOUT_MS"] = std::to_string(*options_.scx_timeout_ms);
  std::optional<bp::child> child;
  try {
    child.emplace(bp::exe = exe, bp::args = args, env, bp::std_in < bp::null, bp::std_out > out_, bp::std_err > err_, ec,
                  bp::extend::on_exec_setup = [=](auto&) {
                    // In the forked child, before exec: only async-signal-safe calls.
                    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // dies with scxlab, whatever kills it
                    if (::getppid() != parent) ::_exit(127);
                    ::close(gate_write);
                    const pid_t me = ::getpid();
                    if (::write(pid_write, &me, sizeof me) != sizeof me) ::_exit(127);
                    char go = 0;
                    if (::read(gate_read, &go, 1) != 1) ::_exit(127);
                  });
  } catch (...) {
    release_journaler();  // never leave a joinable thread behind an exception (std::terminate)
    throw;
  }
  release_journaler();
  if (child->valid()) child->detach();  // this backend waits and reaps through the pid itself
  if (ec || !journal_error.empty()) {
    if (child_pid > 0) {
      host::stop_process(child_pid, host::process_start_time(child_pid).value_or(0), timing_.signal_grace);
      try {
        journal_.forget_process(child_pid);
      } catch (const std::exception&) {
        // The entry stays; replaying it later finds the process gone.
      }
    }
    throw StartError(fmt::format("{}: could not start {}: {}", manifest_.name, exe,
                                 !journal_error.empty() ? "not journaled: " + journal_error : ec.message()));
  }
  pid_ = child_pid;
  start_time_ = host::process_start_time(pid_).value_or(0);
}

void ScxProcessBackend::start(const Config& config) {
  if (pid_ > 0) throw StartError(fmt::format("{}: already started (pid {}); stop() it first", manifest_.name, pid_));
  std::vector<std::string> args;
  try {
    args = build_args(manifest_, config);
  } catch (const std::invalid_argument& e) {
    throw StartError(e.what());
  }
  const std::string exe = binary_.empty() ? find_binary(manifest_) : binary_;
  if (exe.empty()) {
    throw StartError(fmt::format("{}: binary '{}' not found on PATH{}", manifest_.name, manifest_.binary,
                                 manifest_.origin == "scxlab" ? " nor in the build directory: build it (scripts/build.sh)"
                                                              : ": install it (e.g. the scx package of your distribution)"));
  }
  check_host_is_free();
  const auto before = status();
  hardware_.snapshot();
  kmsg_ = std::make_unique<KmsgCursor>(paths_.kmsg);
  bpffs_ = std::make_unique<TemporaryMount>(journal_, "bpf", paths_.bpffs, paths_.mounts);
  launch(exe, args);
  try {
    wait_serving(before.enable_seq, [this] { return observe(); },
                 [this] { return output_tail(); });
  } catch (const StartError& e) {
    const std::string bpffs_problem = bpffs_->problem();
    stop();
    if (bpffs_problem.empty()) throw;
    throw StartError(fmt::format("{} (note: {})", e.what(), bpffs_problem));
  }
}

Health ScxProcessBackend::check() {
  if (pid_ <= 0) return {false, status().state, "not started"};
  auto health = watch([this] { return observe(); }, [this] { return strip_ansi(stdout_text() + stderr_text()); });
  if (!health.serving) health.reason += "\n" + output_tail();
  return health;
}

std::vector<std::string> ScxProcessBackend::stop_process() {
  std::vector<std::string> notes;
  const auto outcome = host::stop_process(pid_, start_time_, timing_.signal_grace);
  const bool clean = outcome == "stopped by SIGINT" || outcome.rfind("already gone", 0) == 0;
  if (!clean) {
    notes.push_back(fmt::format("{} (pid {}): {}", manifest_.name, pid_, outcome));
  }
  if (outcome.find("still running") == std::string::npos) {
    try {
      journal_.forget_process(pid_);
    } catch (const std::exception& e) {
      notes.push_back(e.what());
    }
  }
  pid_ = 0;
  return notes;
}

std::vector<std::string> ScxProcessBackend::stop() {
  std::vector<std::string> notes;
  if (pid_ > 0) {
    notes = stop_process();
    const auto disabled = ensure_disabled();
    notes.insert(notes.end(), disabled.begin(), disabled.end());
  }
  const auto restored = hardware_.restore();
  notes.insert(notes.end(), restored.begin(), restored.end());
  if (bpffs_) {
    const auto unmounted = bpffs_->release();
    notes.insert(notes.end(), unmounted.begin(), unmounted.end());
    bpffs_.reset();
  }
  return notes;
}

}  // namespace scxlab::schedulers
