// What scxlab's collectors cost a messaging load, against no collectors and against
// `perf sched record`: rounds of {off, on, perf sched} in rotating order (ABAB interleaving),
// the load's own time per run, and per round the ratios on/off and perf/off; the median ratio
// with a percentile-bootstrap 95% interval. Also the collectors' start/stop cost per trial and
// how the probes' mean runqueue wait agrees with schedstat's (run_delay / pcount).
//
// Not a Google Benchmark: one run is seconds of a real load. Driven by
// scripts/bench-metrics-overhead.sh; run as root:
//   bench_metrics_overhead [--pairs N] [--no-perf-sched] [--only bpf|perf|proc|scx_stats]
//                          [--event NAME]... [-- command args...]
// The command must print "Time: <seconds>" (hackbench and perf bench sched messaging do);
// the default is `hackbench -g 4 -l 2000`.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "metrics/collector.hpp"
#include "stats/inference.hpp"

using namespace scxlab;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  int pairs = 12;
  bool perf_sched = true;
  std::string only;  // one collector alone, to see who costs what
  std::vector<std::string> events;
  std::vector<std::string> command{"hackbench", "-g", "4", "-l", "2000"};
};

// A command forked and held before exec, so collectors can attach to its pid first.
class HeldCommand {
 public:
  explicit HeldCommand(const std::vector<std::string>& argv) {
    int go[2], out[2];
    if (pipe2(go, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      const int null = open("/dev/null", O_WRONLY);
      dup2(null, STDERR_FILENO);
      char c;
      if (read(go[0], &c, 1) != 1) _exit(126);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execvp(args[0], args.data());
      _exit(127);
    }
    close(go[0]);
    close(out[1]);
    go_ = go[1];
    out_ = out[0];
  }
  pid_t pid() const { return pid_; }

  // Lets it exec, collects its stdout, reaps it; the "Time: S" it printed, in seconds.
  double run_to_end() {
    if (write(go_, "g", 1) != 1) throw std::runtime_error("cannot release the command");
    close(go_);
    std::string text;
    char buf[4096];
    for (ssize_t n; (n = read(out_, buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
    close(out_);
    int status = 0;
    waitpid(pid_, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      throw std::runtime_error(fmt::format("the command failed (status {:#x}); output:\n{}", status, text));
    }
    const auto at = text.rfind("Time:");
    if (at == std::string::npos) throw std::runtime_error("the command printed no 'Time: <seconds>' line:\n" + text);
    return std::stod(text.substr(at + 5));
  }

 private:
  pid_t pid_ = -1;
  int go_ = -1, out_ = -1;
};

struct OnRun {
  double time_s = 0, start_ms = 0, stop_ms = 0;
  std::optional<double> probe_mean_wait_us, schedstat_mean_wait_us;
};

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

std::optional<double> find_metric(const metrics::Collected& c, const std::string& name) {
  for (const auto& m : c.metrics) {
    if (m.name == name) return m.value;
  }
  return std::nullopt;
}

double run_off(const Options& o) { return HeldCommand(o.command).run_to_end(); }

// The harness's pattern: start right after the root exists, before it execs or forks.
OnRun run_on(const Options& o, metrics::CollectorSet& set) {
  HeldCommand cmd(o.command);
  OnRun r;
  auto t = Clock::now();
  set.start({cmd.pid(), ""});
  r.start_ms = ms_since(t);
  r.time_s = cmd.run_to_end();
  t = Clock::now();
  set.stop();
  const auto results = set.results();
  r.stop_ms = ms_since(t);
  r.probe_mean_wait_us = find_metric(results, "runq_wait_us.mean");
  r.schedstat_mean_wait_us = find_metric(results, "schedstat.mean_wait_us");
  return r;
}

double run_perf_sched(const Options& o) {
  const std::string data = fmt::format("/dev/shm/scxlab-bench-perf-sched-{}.data", getpid());
  std::vector<std::string> argv{"perf", "sched", "record", "-o", data, "--"};
  argv.insert(argv.end(), o.command.begin(), o.command.end());
  const double t = HeldCommand(argv).run_to_end();
  std::remove(data.c_str());
  return t;
}

struct Summary {
  double median, low, high;
};
Summary summarise(const std::vector<double>& xs) {
  stats::Rng rng(20261124);
  const auto ci = stats::bootstrap_median_interval(xs, 10000, 0.95, rng);
  return {stats::median(xs), ci.low, ci.high};
}

std::string pct(double ratio) { return fmt::format("{:+.2f}%", 100 * (ratio - 1)); }

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--pairs" && i + 1 < argc) {
      o.pairs = std::stoi(argv[++i]);
    } else if (a == "--no-perf-sched") {
      o.perf_sched = false;
    } else if (a == "--only" && i + 1 < argc) {
      o.only = argv[++i];
    } else if (a == "--event" && i + 1 < argc) {
      o.events.push_back(argv[++i]);
    } else if (a == "--") {
      o.command.assign(argv + i + 1, argv + argc);
      break;
    } else {
      throw std::invalid_argument("unknown argument '" + a +
                                  "'; usage: bench_metrics_overhead [--pairs N] [--no-perf-sched] "
                                  "[--only bpf|perf|proc|scx_stats] [--event NAME]... [-- command args...]");
    }
  }
  if (o.pairs < 2 || o.command.empty()) throw std::invalid_argument("need --pairs >= 2 and a command");
  return o;
}

void report(const Options& o, const std::vector<double>& on_ratio, const std::vector<double>& perf_ratio,
            const std::vector<OnRun>& on_runs) {
  const auto on = summarise(on_ratio);
  std::cout << fmt::format("\nscxlab collectors on/off : median {:.4f} ({}) 95% CI [{:.4f}, {:.4f}], {} pairs\n",
                           on.median, pct(on.median), on.low, on.high, on_ratio.size());
  std::cout << fmt::format("  bar <= 2%: {} (point), CI upper {} 2%\n", on.median <= 1.02 ? "met" : "NOT met",
                           on.high <= 1.02 ? "within" : "beyond");
  if (o.perf_sched) {
    const auto ps = summarise(perf_ratio);
    std::cout << fmt::format("perf sched record / off  : median {:.4f} ({}) 95% CI [{:.4f}, {:.4f}]\n", ps.median,
                             pct(ps.median), ps.low, ps.high);
    const double share = ps.median > 1 ? (on.median - 1) / (ps.median - 1) : 0;
    std::cout << fmt::format("  scxlab's overhead / perf sched's: {:.2f} (bar <= 0.20: {})\n", share,
                             ps.median <= 1 ? "undefined: perf sched showed no overhead"
                                            : share <= 0.2 ? "met" : "NOT met");
  }
  std::vector<double> starts, stops, agreement;
  for (const auto& r : on_runs) {
    starts.push_back(r.start_ms);
    stops.push_back(r.stop_ms);
    if (r.probe_mean_wait_us && r.schedstat_mean_wait_us && *r.schedstat_mean_wait_us > 0) {
      agreement.push_back(*r.probe_mean_wait_us / *r.schedstat_mean_wait_us);
    }
  }
  std::cout << fmt::format("collectors start(): median {:.2f} ms, max {:.2f} ms; stop()+results(): median {:.2f} ms, max {:.2f} ms\n",
                           stats::median(starts), *std::max_element(starts.begin(), starts.end()),
                           stats::median(stops), *std::max_element(stops.begin(), stops.end()));
  if (!agreement.empty()) {
    std::cout << fmt::format("probe mean runq wait / schedstat mean wait (run_delay/pcount): median {:.3f}, range [{:.3f}, {:.3f}]\n",
                             stats::median(agreement), *std::min_element(agreement.begin(), agreement.end()),
                             *std::max_element(agreement.begin(), agreement.end()));
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const auto o = parse(argc, argv);
    metrics::CollectorOptions copts;
    copts.perf_events = o.events;
    if (!o.only.empty()) {
      copts.bpf = o.only == "bpf";
      copts.perf = o.only == "perf";
      copts.proc = o.only == "proc";
      copts.scx_stats = o.only == "scx_stats";
    }
    metrics::CollectorSet set(copts);  // the slow part, once, as in the harness
    std::cout << "collectors: " << (o.only.empty() ? "all" : o.only) << "; command:";
    for (const auto& a : o.command) std::cout << ' ' << a;
    std::cout << fmt::format("\nwarm-up run: {:.3f} s\n", run_off(o));

    std::vector<double> on_ratio, perf_ratio;
    std::vector<OnRun> on_runs;
    for (int round = 0; round < o.pairs; ++round) {
      double off = 0, perf = 0;
      OnRun on;
      // Rotate the order so drift and after-effects fall on every mode alike.
      const int modes = o.perf_sched ? 3 : 2;
      for (int k = 0; k < modes; ++k) {
        switch ((round + k) % modes) {
          case 0: off = run_off(o); break;
          case 1: on = run_on(o, set); break;
          default: perf = run_perf_sched(o); break;
        }
      }
      on_ratio.push_back(on.time_s / off);
      if (o.perf_sched) perf_ratio.push_back(perf / off);
      on_runs.push_back(on);
      std::cout << fmt::format("round {:2}: off {:.3f} s  on {:.3f} s{}  | start {:.1f} ms stop {:.1f} ms | "
                               "mean wait: probes {:.1f} us, schedstat {:.1f} us\n",
                               round + 1, off, on.time_s, o.perf_sched ? fmt::format("  perf-sched {:.3f} s", perf) : "",
                               on.start_ms, on.stop_ms, on.probe_mean_wait_us.value_or(-1),
                               on.schedstat_mean_wait_us.value_or(-1));
      std::cout.flush();
    }
    report(o, on_ratio, perf_ratio, on_runs);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_metrics_overhead: " << e.what() << "\n";
    return 1;
  }
}
