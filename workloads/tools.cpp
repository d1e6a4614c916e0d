// Adapters for real tools found on PATH: the command line from the parameters, and the parser
// of what the tool printed (parsers.hpp). A missing tool makes the workload unavailable with
// the package to install; nothing here runs anything.
#include <fmt/format.h>

#include "base/files.hpp"
#include "workloads/builtins.hpp"
#include "workloads/child.hpp"
#include "workloads/params.hpp"
#include "workloads/parsers.hpp"

namespace scxlab::workloads {
namespace {


std::string arg(long v) { return std::to_string(v); }

Definition tool(std::string name, std::string summary, std::string program, std::string hint) {
  Definition d;
  d.info.name = std::move(name);
  d.info.summary = std::move(summary);
  d.info.tool = std::move(program);
  d.info.install_hint = std::move(hint);
  return d;
}

Definition hackbench() {
  auto d = tool("hackbench", "rt-tests hackbench: groups of senders and receivers exchanging messages", "hackbench",
                "apt install rt-tests");
  d.info.params = {
      int_param("groups", 10, 1, 1000, "groups (-g)"),
      int_param("fds", 20, 1, 1000, "senders and receivers per group (-f)"),
      int_param("loops", 100, 1, 10000000, "messages each sender sends to each receiver (-l)"),
      int_param("size", 100, 1, 65536, "message size in bytes (-s)"),
      enum_param("ipc", "sockets", {"sockets", "pipes", "inet"}, "UNIX sockets, pipes (-p) or TCP loopback (-i)"),
      enum_param("mode", "processes", {"processes", "threads"}, "processes (-P) or threads (-T)"),
  };
  d.info.metrics = messaging_metric_specs();
  d.info.operation_rate = "messages_per_s";
  d.command = [](const Params& p, const std::string&) {
    const ParamReader r(p);
    std::vector<std::string> argv{"hackbench", "-g", arg(r.integer("groups")), "-f", arg(r.integer("fds")),
                                  "-l", arg(r.integer("loops")), "-s", arg(r.integer("size"))};
    if (r.text("ipc") == "pipes") argv.push_back("-p");
    if (r.text("ipc") == "inet") argv.push_back("-i");
    argv.push_back(r.text("mode") == "threads" ? "-T" : "-P");
    return argv;
  };
  d.parse = [](const Params&, const ToolOutput& o) { return parse_hackbench(o.out); };
  return d;
}

Definition perf_messaging() {
  auto d = tool("perf-messaging", "perf bench sched messaging: hackbench's model, 20 senders and receivers per group",
                "perf", "apt install linux-perf");
  d.info.params = {
      int_param("groups", 10, 1, 1000, "groups (-g)"),
      int_param("loops", 100, 1, 10000000, "messages each sender sends to each receiver (-l)"),
      enum_param("ipc", "sockets", {"sockets", "pipes"}, "UNIX sockets or pipes (-p)"),
      enum_param("mode", "processes", {"processes", "threads"}, "processes or threads (-t)"),
  };
  d.info.metrics = messaging_metric_specs();
  d.info.operation_rate = "messages_per_s";
  d.command = [](const Params& p, const std::string&) {
    const ParamReader r(p);
    std::vector<std::string> argv{"perf", "bench", "sched", "messaging", "-g", arg(r.integer("groups")), "-l",
                                  arg(r.integer("loops"))};
    if (r.text("ipc") == "pipes") argv.push_back("-p");
    if (r.text("mode") == "threads") argv.push_back("-t");
    return argv;
  };
  d.parse = [](const Params& p, const ToolOutput& o) { return parse_perf_messaging(o.out + o.err, ParamReader(p).integer("loops")); };
  return d;
}

Definition perf_pipe() {
  auto d = tool("perf-pipe", "perf bench sched pipe: two tasks ping-pong over pipes", "perf", "apt install linux-perf");
  d.info.params = {
      int_param("loops", 100000, 1, 1000000000, "round trips (-l)"),
      enum_param("mode", "processes", {"processes", "threads"}, "processes or threads (-T)"),
  };
  d.info.metrics = {{"usecs_per_op", "us", kLower, true, "time per round trip"},
                    {"ops_per_s", "ops/s", kHigher, false, "round trips per second"},
                    {"time_s", "s", kLower, false, "total time"}};
  d.info.operation_rate = "ops_per_s";
  d.command = [](const Params& p, const std::string&) {
    const ParamReader r(p);
    std::vector<std::string> argv{"perf", "bench", "sched", "pipe", "-l", arg(r.integer("loops"))};
    if (r.text("mode") == "threads") argv.push_back("-T");
    return argv;
  };
  d.parse = [](const Params& p, const ToolOutput& o) { return parse_perf_pipe(o.out + o.err, ParamReader(p).integer("loops")); };
  return d;
}

Definition schbench() {
  auto d = tool("schbench", "schbench: wakeup and request latency of message threads waking workers", "schbench",
                "schbench is not packaged by Debian: build it from "
                "https://git.kernel.org/pub/scm/linux/kernel/git/mason/schbench.git (make) and put it on PATH");
  d.info.params = {
      int_param("message_threads", 1, 1, 64, "message threads (-m)"),
      int_param("workers", 0, 0, 1024, "workers per message thread (-t), 0 = schbench's default (one per CPU)"),
      int_param("runtime_s", 10, 1, 86400, "runtime (-r)"),
      int_param("warmup_s", 0, 0, 3600, "warm-up (-w; schbench applies it only with runtime_s >= 30)"),
      int_param("sleep_us", 100, 0, 1000000, "sleep per request (-s)"),
      int_param("matrix_ops", 5, 0, 1000, "matrix multiplies per request (-n)"),
      int_param("footprint_kb", 256, 1, 1048576, "working set (-F)"),
      bool_param("lock", true, "per-CPU lock around the work (false = -L)"),
      real_param("rps", 0, 0, 1e6, "fixed request rate (-R), 0 = as fast as possible"),
      int_param("pipe_bytes", 0, 0, 1048576, "pipe mode transfer size (-p), 0 = off"),
      bool_param("json", true, "ask for the -j - JSON line (schbench newer than 2023); false parses the text only"),
  };
  d.info.metrics = latency_metric_specs("wakeup_latency", "wakeup latency");
  const auto req = latency_metric_specs("request_latency", "request latency");
  d.info.metrics.insert(d.info.metrics.end(), req.begin(), req.end());
  d.info.metrics.push_back({"rps.avg", "req/s", kHigher, true, "all requests / runtime (\"average rps\")"});
  d.info.metrics.push_back({"rps.p50", "req/s", kHigher, false, "median of the ~1 s RPS samples"});
  d.info.metrics.push_back({"rps.p90", "req/s", kHigher, false, "p90 of the ~1 s RPS samples"});
  d.info.metrics.push_back({"transfer_ops_per_s", "ops/s", kHigher, false, "pipe mode: worker transfers per second"});
  d.info.operation_rate = "rps.avg";
  d.command = [](const Params& p, const std::string&) {
    const ParamReader r(p);
    std::vector<std::string> argv{"schbench", "-m", arg(r.integer("message_threads")), "-r", arg(r.integer("runtime_s")),
                                  "-s", arg(r.integer("sleep_us")), "-n", arg(r.integer("matrix_ops")), "-F",
                                  arg(r.integer("footprint_kb"))};
    if (r.integer("workers") > 0) argv.insert(argv.end(), {"-t", arg(r.integer("workers"))});
    if (r.integer("warmup_s") > 0) argv.insert(argv.end(), {"-w", arg(r.integer("warmup_s"))});
    if (!r.boolean("lock")) argv.push_back("-L");
    if (r.real("rps") > 0) argv.insert(argv.end(), {"-R", fmt::format("{}", r.real("rps"))});
    if (r.integer("pipe_bytes") > 0) argv.insert(argv.end(), {"-p", arg(r.integer("pipe_bytes"))});
    if (r.boolean("json")) argv.insert(argv.end(), {"-j", "-"});
    return argv;
  };
  d.parse = [](const Params&, const ToolOutput& o) { return parse_schbench(o.out, o.err); };
  return d;
}

Definition stress_ng() {
  auto d = tool("stress-ng", "stress-ng stressors with their bogo-ops rates (also a background load)", "stress-ng",
                "apt install stress-ng");
  d.info.params = {
      {"stressor", "string", "cpu", "stress-ng stressor(s), '+'-separated: cpu, switch, futex, yield, cyclic, ...",
       std::nullopt, std::nullopt, {}},
      int_param("instances", 0, 0, 4096, "instances of each stressor, 0 = one per CPU"),
      int_param("duration_s", 10, 1, 86400, "run time (-t)"),
  };
  d.info.metrics = {
      {"bogo_ops_per_s", "ops/s", kHigher, true, "all stressors' bogo ops per second of real time"},
      {"bogo_ops_per_s.<stressor>", "ops/s", kHigher, false, "one stressor's bogo ops per second of real time"},
      {"bogo_ops_per_cpu_s.<stressor>", "ops/s", kHigher, false, "one stressor's bogo ops per second of usr+sys time"},
      {"bogo_ops.<stressor>", "ops", kInfo, false, "one stressor's bogo ops"},
      {"<stressor>.<miscellaneous metric>", "", kInfo, false, "the stressor's own extra metrics"},
      {"cyclic.latency_us.p50|p90|p99|p99.9|max", "us", kLower, false, "the cyclic stressor's latencies"},
  };
  d.info.operation_rate = "bogo_ops_per_s";
  d.command = [](const Params& p, const std::string& scratch) {
    const ParamReader r(p);
    std::vector<std::string> argv{"stress-ng"};
    const auto& stressors = r.text("stressor");
    for (std::size_t start = 0; start <= stressors.size();) {
      auto end = stressors.find('+', start);
      if (end == std::string::npos) end = stressors.size();
      argv.insert(argv.end(), {"--" + stressors.substr(start, end - start), arg(r.integer("instances"))});
      start = end + 1;
    }
    argv.insert(argv.end(), {"-t", arg(r.integer("duration_s")), "--metrics-brief", "--temp-path", scratch});
    return argv;
  };
  d.parse = [](const Params&, const ToolOutput& o) { return parse_stress_ng(o.err + o.out); };
  return d;
}

Definition cyclictest() {
  auto d = tool("cyclictest", "rt-tests cyclictest: timer wakeup latency of periodic threads", "cyclictest",
                "apt install rt-tests");
  d.info.params = {
      int_param("threads", 0, 0, 4096, "measuring threads, 0 = one per CPU (-t)"),
      int_param("interval_us", 1000, 50, 1000000, "wakeup interval of every thread (-i, distance 0)"),
      int_param("priority", 80, 0, 99, "SCHED_FIFO priority (-p), 0 = SCHED_OTHER"),
      int_param("duration_s", 10, 1, 86400, "run time (-D)"),
      int_param("histogram_us", 10000, 0, 1000000, "histogram range (-h) for percentiles, 0 = none"),
  };
  d.info.metrics = {
      {"latency_us.min", "us", kLower, false, "smallest wakeup latency"},
      {"latency_us.avg", "us", kLower, false, "mean wakeup latency (all threads)"},
      {"latency_us.max", "us", kLower, true, "largest wakeup latency"},
      {"latency_us.p50", "us", kLower, false, "median (from the histogram)"},
      {"latency_us.p99", "us", kLower, true, "p99 (from the histogram; absent when it lies in the overflow)"},
      {"latency_us.p99.9", "us", kLower, false, "p99.9 (from the histogram)"},
      {"cycles", "count", kInfo, false, "wakeups measured"},
      {"histogram_overflows", "count", kInfo, false, "wakeups beyond histogram_us"},
  };
  d.command = [](const Params& p, const std::string& scratch) {
    const ParamReader r(p);
    std::vector<std::string> argv{"cyclictest", "-m", "-q", "-d", "0", "-i", arg(r.integer("interval_us")), "-p",
                                  arg(r.integer("priority")), "-D", arg(r.integer("duration_s")),
                                  "--json=" + scratch + "/cyclictest.json"};
    argv.push_back(r.integer("threads") > 0 ? "--threads=" + arg(r.integer("threads")) : "-t");
    if (r.integer("histogram_us") > 0) argv.push_back("--histogram=" + arg(r.integer("histogram_us")));
    return argv;
  };
  d.parse = [](const Params&, const ToolOutput& o) {
    const auto json = base::read_file_or_empty(o.scratch + "/cyclictest.json");
    return json.empty() ? parse_cyclictest_text(o.out) : parse_cyclictest_json(json);
  };
  return d;
}

}  // namespace

std::vector<Definition> tool_workloads() {
  return {hackbench(), schbench(), perf_messaging(), perf_pipe(), stress_ng(), cyclictest()};
}

}  // namespace scxlab::workloads
