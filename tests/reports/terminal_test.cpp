#include <cstdlib>
#include <regex>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "catch.hpp"
#include "fixture.hpp"
#include "reports/format.hpp"
#include "reports/terminal.hpp"

using namespace scxlab;
using namespace scxlab::reports;

namespace {

stats::MetricResult metric(const std::string& name, const std::string& unit, Direction d, double median, double lo,
                           double hi, std::optional<stats::Comparison> vs = std::nullopt) {
  stats::MetricResult m;
  m.metric = name;
  m.unit = unit;
  m.direction = d;
  m.headline = true;
  m.summary.n = 10;
  m.summary.median = median;
  m.summary.ci_low = lo;
  m.summary.ci_high = hi;
  m.summary.cv = 0.02;
  m.vs_baseline = vs;
  return m;
}

stats::Comparison vs(double ratio, double lo, double hi, double p, stats::Call call) {
  return {ratio, lo, hi, p, p * 2, call, "", 0, 0, 0, ""};
}

// A hand-made analysis with known calls: lavd better on both metrics, rusty inconclusive on
// time and worse on messages, bpfland no different.
ReportInput hand_made() {
  using stats::Call;
  const auto lower = Direction::lower_is_better, higher = Direction::higher_is_better;
  ReportInput in;
  in.run.kind = "shootout";
  in.run.uuid = "12345678-aaaa-4bbb-8ccc-dddddddddddd";
  in.run.created_utc = "2026-11-24T10:00:00Z";
  in.run.status = "complete";
  auto& a = in.analysis;
  a.baseline = "eevdf";
  stats::WorkloadAnalysis w{"messaging", {}, {}, {}};
  w.schedulers.push_back({"eevdf", {metric("time_s", "s", lower, 2.0, 1.96, 2.04),
                                    metric("messages_per_s", "msg/s", higher, 80000, 78000, 82000)}, 3, 1});
  w.schedulers.push_back({"scx_lavd", {metric("time_s", "s", lower, 1.8, 1.77, 1.83, vs(0.9, 0.88, 0.92, 2e-4, Call::better)),
                                       metric("messages_per_s", "msg/s", higher, 88900, 87000, 90500,
                                              vs(1.111, 1.09, 1.13, 2e-4, Call::better))}, 1, 1.1});
  w.schedulers.push_back({"scx_rusty", {metric("time_s", "s", lower, 2.06, 1.95, 2.2, vs(1.03, 0.97, 1.1, 0.3, Call::inconclusive)),
                                        metric("messages_per_s", "msg/s", higher, 76000, 75000, 77600,
                                               vs(0.95, 0.93, 0.97, 1e-3, Call::worse))}, 4, 0.96});
  w.schedulers.push_back({"scx_bpfland", {metric("time_s", "s", lower, 2.01, 1.98, 2.03, vs(1.005, 0.99, 1.02, 0.6, Call::no_difference)),
                                          metric("messages_per_s", "msg/s", higher, 79800, 79000, 80600,
                                                 vs(0.997, 0.98, 1.01, 0.7, Call::no_difference))}, 2, 1.0});
  a.workloads.push_back(w);
  a.overall_ranking = {{"scx_lavd", 1.1}, {"scx_bpfland", 1.0}, {"eevdf", 1.0}, {"scx_rusty", 0.96}};
  a.warnings = {"messaging / scx_rusty: time_s varies a lot between repetitions (CV 7.1%)"};
  return in;
}

std::string line_with(const std::string& text, const std::string& needle) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(needle) != std::string::npos) return line;
  }
  return "";
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string strip_ansi(const std::string& s) { return std::regex_replace(s, std::regex("\x1b\\[[0-9;]*m"), ""); }

}  // namespace

TEST_CASE("terminal table: schedulers by rank, median [interval], a number only for a called change",
          "[reports][terminal]") {
  const auto out = render_terminal(hand_made(), {});
  INFO(out);
  CHECK(out.find('\x1b') == std::string::npos);
  const auto lavd = line_with(out, "scx_lavd ");
  CHECK(lavd.rfind("   1  scx_lavd", 0) == 0);
  CHECK(lavd.find("1.80 [1.77, 1.83]  -10.0% better") != std::string::npos);
  CHECK(lavd.find("88.9k [87.0k, 90.5k]  +11.1% better") != std::string::npos);
  const auto rusty = line_with(out, "scx_rusty ");
  CHECK(rusty.find("2.06 [1.95, 2.20]  run more") != std::string::npos);
  CHECK(rusty.find("+3.0%") == std::string::npos);  // not called: no number to over-read
  CHECK(rusty.find("-5.0% worse") != std::string::npos);
  const auto bpfland = line_with(out, "scx_bpfland ");
  CHECK(bpfland.find("no diff.") != std::string::npos);
  CHECK(bpfland.find('%') == std::string::npos);
  CHECK(line_with(out, "   3  eevdf").find("baseline") != std::string::npos);
  // Rows best first.
  CHECK(out.find("scx_lavd ") < out.find("scx_bpfland "));
  CHECK(out.find("scx_bpfland ") < out.find("eevdf   "));
  CHECK(out.find("eevdf   ") < out.find("scx_rusty "));
  CHECK(line_with(out, "time_s").find("messages_per_s") != std::string::npos);
  CHECK(line_with(out, "s, lower is better").find("msg/s, higher is better") != std::string::npos);
  // The overall ranking tells what the score hides.
  CHECK(line_with(out, "1. scx_lavd").find("2 better, 0 worse, 0 no diff., 0 run more") != std::string::npos);
  CHECK(line_with(out, "4. scx_rusty").find("0 better, 1 worse, 0 no diff., 1 run more") != std::string::npos);
  CHECK(out.find("CV 7.1%") != std::string::npos);
}

TEST_CASE("terminal colour marks significant calls only, green better, red worse", "[reports][terminal]") {
  const auto in = hand_made();
  TerminalOptions options;
  options.color = true;
  const auto coloured = render_terminal(in, options);
  std::vector<std::pair<std::string, std::string>> painted;  // colour code, text
  const std::regex paint("\x1b\\[(3[12])m([^\x1b]*)\x1b\\[0m");
  for (auto it = std::sregex_iterator(coloured.begin(), coloured.end(), paint); it != std::sregex_iterator(); ++it) {
    painted.emplace_back((*it)[1], (*it)[2]);
  }
  REQUIRE(painted.size() == 3);
  CHECK(painted[0] == std::pair<std::string, std::string>{"32", "-10.0% better"});
  CHECK(painted[1] == std::pair<std::string, std::string>{"32", "+11.1% better"});
  CHECK(painted[2].first == "31");
  CHECK(painted[2].second.rfind("-5.0% worse", 0) == 0);
  // Colour adds nothing but escapes: the same text without them.
  CHECK(strip_ansi(coloured) == render_terminal(in, {}));
}

TEST_CASE("terminal output fits 100 columns: metric columns wrap into blocks", "[reports][terminal]") {
  auto in = hand_made();
  for (auto& s : in.analysis.workloads[0].schedulers) {
    auto extra = s.metrics;
    for (auto& m : extra) m.metric = "wakeup_latency_us.p99_" + m.metric;
    s.metrics.insert(s.metrics.end(), extra.begin(), extra.end());
  }
  TerminalOptions options;
  options.all_metrics = true;
  const auto out = render_terminal(in, options);
  INFO(out);
  for (const auto& line : lines_of(out)) CHECK(line.size() <= 100);
  CHECK(line_with(out, "wakeup_latency_us.p99_time_s").find("time_s") != std::string::npos);
  // Four metric columns do not fit one block: the scheduler rows appear once per block.
  int lavd_rows = 0;
  for (const auto& line : lines_of(out)) lavd_rows += line.rfind("   1  scx_lavd", 0) == 0;
  CHECK(lavd_rows == 2);
}

TEST_CASE("the full metric listing shows every metric with median, interval, spread and p", "[reports][terminal]") {
  test::ReportFixture f("terminal-listing");
  TerminalOptions options;
  options.all_metrics = true;
  const auto out = render_terminal(f.input, options);
  INFO(out);
  const auto& lavd = f.input.analysis.workloads[0].schedulers[1];
  REQUIRE(lavd.scheduler == "scx_lavd:gaming");
  const auto start = out.find("\nmessaging / scx_lavd:gaming\n");
  REQUIRE(start != std::string::npos);
  const auto block = out.substr(start + 1, out.find("\n\n", start + 1) - start);
  for (const auto& m : lavd.metrics) {
    const auto line = line_with(block, "    " + m.metric + " ");
    REQUIRE_FALSE(line.empty());
    CHECK(line.find(format_estimate(m.summary) + " " + m.unit) != std::string::npos);
    CHECK(line.find(format_percent(m.summary.cv)) != std::string::npos);
    if (m.vs_baseline) {
      const auto p = format_p(m.vs_baseline->p_adjusted);
      CHECK(line.find(p.front() == '<' ? " p" + p : " p=" + p) != std::string::npos);
    }
  }
  CHECK(out.find("not available on this host") != std::string::npos);
  CHECK(out.find("cycles: not supported by this host's PMU") != std::string::npos);
  CHECK(out.find("1 ejected") != std::string::npos);
  CHECK(out.find("time budget 10m") != std::string::npos);
}

TEST_CASE("colour is wanted on a terminal only, and never with NO_COLOR set", "[reports][terminal]") {
  const int master = posix_openpt(O_RDWR | O_NOCTTY);
  REQUIRE(master >= 0);
  REQUIRE(grantpt(master) == 0);
  REQUIRE(unlockpt(master) == 0);
  const int tty = open(ptsname(master), O_RDWR | O_NOCTTY);
  REQUIRE(tty >= 0);
  int pipe_fds[2];
  REQUIRE(pipe(pipe_fds) == 0);

  const char* saved = std::getenv("NO_COLOR");
  const std::string saved_value = saved ? saved : "";
  unsetenv("NO_COLOR");
  CHECK(color_wanted(tty));
  CHECK_FALSE(color_wanted(pipe_fds[1]));
  setenv("NO_COLOR", "1", 1);
  CHECK_FALSE(color_wanted(tty));
  setenv("NO_COLOR", "", 1);  // no-color.org: only a non-empty value disables colour
  CHECK(color_wanted(tty));
  if (saved) setenv("NO_COLOR", saved_value.c_str(), 1);
  else unsetenv("NO_COLOR");
  for (const int fd : {tty, master, pipe_fds[0], pipe_fds[1]}) close(fd);
}

namespace {

store::TrialRecord missing_on(const std::string& workload, const std::string& scheduler,
                              std::vector<Unavailable> unavailable) {
  store::TrialRecord t;
  t.workload = workload;
  t.scheduler = scheduler;
  t.unavailable = std::move(unavailable);
  return t;
}

// What a VM without a hardware PMU gives, as the perf collector words it.
std::vector<Unavailable> no_pmu() {
  const std::string pmu = "not supported by this host's PMU (VMs often expose no hardware counters)";
  return {{"cycles", "cycles: " + pmu},
          {"instructions", "instructions: " + pmu},
          {"cache_misses", "cache-misses: " + pmu},
          {"ipc", "needs instructions: instructions: " + pmu},
          {"cache_misses_pki", "needs cache_misses: cache-misses: " + pmu}};
}

std::string unavailable_block(const std::string& text) {
  const auto start = text.find("\nnot available on this host");
  return start == std::string::npos ? "" : text.substr(start + 1);
}

}  // namespace

TEST_CASE("not available: one line per cause, a derived metric in its root's line, the scope once",
          "[reports][terminal]") {
  auto in = hand_made();
  in.analysis.workloads.push_back({"frames", {}, {}, {}});
  for (const std::string workload : {"messaging", "frames"}) {
    auto unavailable = no_pmu();
    unavailable.push_back({"energy_j", "no RAPL energy counters"});
    unavailable.push_back({"energy_per_op", "needs energy_j"});  // the root's entry says why
    in.trials.push_back(missing_on(workload, "eevdf", unavailable));
  }
  const auto block = unavailable_block(render_terminal(in, {}));
  INFO(block);
  const auto lines = lines_of(block);
  REQUIRE(lines.size() == 4);  // the PMU's line wraps once
  // One scope for every cause: said once, in the title (only eevdf ran: not "every scheduler").
  CHECK(lines[0] == "not available on this host (every workload; on eevdf)");
  CHECK(lines[1] == "  - cycles, instructions, cache_misses and 2 derived (ipc, cache_misses_pki): not supported by "
                    "this");
  CHECK(block.find("host's PMU (VMs often expose no hardware counters)") != std::string::npos);
  CHECK(block.find("needs") == std::string::npos);
  CHECK(block.find("cache-misses") == std::string::npos);
  CHECK(line_with(block, "energy_j").find("energy_j and 1 derived (energy_per_op): no RAPL energy counters") !=
        std::string::npos);
}

TEST_CASE("not available: causes with different scopes name their scope each", "[reports][terminal]") {
  auto in = hand_made();
  in.analysis.workloads.push_back({"frames", {}, {}, {}});
  for (const std::string workload : {"messaging", "frames"}) {
    for (const std::string scheduler : {"eevdf", "scx_lavd"}) {
      in.trials.push_back(missing_on(workload, scheduler, {{"cpu_freq_mhz", "no cpufreq driver"}}));
    }
  }
  in.trials.push_back(missing_on("messaging", "eevdf", {{"scx.*", "this scheduler serves no scx_stats socket"}}));
  const auto block = unavailable_block(render_terminal(in, {}));
  INFO(block);
  CHECK(lines_of(block).size() == 3);
  CHECK(lines_of(block).front() == "not available on this host");
  CHECK(line_with(block, "cpu_freq_mhz") == "  - cpu_freq_mhz: no cpufreq driver (every workload; on every scheduler)");
  CHECK(line_with(block, "scx.*") == "  - scx.*: this scheduler serves no scx_stats socket (messaging; on eevdf)");
}

TEST_CASE("noisy metrics are one line per workload over every scheduler: the count and the worst few",
          "[reports][terminal]") {
  auto in = hand_made();
  auto& w = in.analysis.workloads[0];
  w.noisy = {{"eevdf", 0.05, {{"runq_wait_us.p50", 1.72, false}, {"time_s", 0.13, true}, {"a", 0.1, false}}, "eevdf line"},
             {"scx_lavd", 0.05, {{"b", 0.9, false}, {"runq_wait_us.p50", 0.8, false}, {"c", 0.5, false},
                                  {"d", 0.4, false}}, "lavd line"}};
  in.analysis.warnings = {"eevdf line", "lavd line", "messaging: something else"};
  const auto all = warnings(in);
  INFO(fmt::format("{}", fmt::join(all, "\n")));
  REQUIRE(all.size() == 2);
  CHECK(all[0] == "messaging: something else");
  // Each metric once, at its worst; a noisy headline metric named even when not among the worst.
  CHECK(all[1] == "messaging: 6 noisy metrics (CV over 5%) on eevdf, scx_lavd: worst runq_wait_us.p50 172% on eevdf, "
                  "b 90% on scx_lavd; headline time_s 13% on eevdf: run more repetitions or quiet the machine");
  const auto text = render_terminal(in, {});
  CHECK(text.find("eevdf line") == std::string::npos);
  CHECK(text.find("  - messaging: 6 noisy metrics") != std::string::npos);
}
