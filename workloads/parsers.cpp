#include "workloads/parsers.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <regex>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/files.hpp"
#include "workloads/params.hpp"

namespace scxlab::workloads {
namespace {

constexpr long kPerfMessagingFds = 20;

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
  }
  return out;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// The number right after the LAST occurrence of `label` (spaces skipped).
std::optional<double> number_after(const std::string& text, const std::string& label) {
  const auto pos = text.rfind(label);
  if (pos == std::string::npos) return std::nullopt;
  const char* begin = text.c_str() + pos + label.size();
  char* end = nullptr;
  const double v = std::strtod(begin, &end);
  if (end == begin || !std::isfinite(v)) return std::nullopt;
  return v;
}

// Group 1 of the last match of `pattern`, as a number.
std::optional<double> last_match(const std::string& text, const char* pattern) {
  const std::regex re(pattern);
  std::optional<double> found;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it) {
    found = std::strtod((*it)[1].str().c_str(), nullptr);
  }
  return found;
}

double require(std::optional<double> v, const std::string& tool, const std::string& what) {
  if (!v) throw WorkloadFailure(fmt::format("{}: no \"{}\" in its output", tool, what));
  return *v;
}

std::vector<double> numbers_in(const std::string& s) {
  std::vector<double> out;
  std::istringstream in(s);
  for (std::string token; in >> token;) {
    char* end = nullptr;
    const double v = std::strtod(token.c_str(), &end);
    if (end != token.c_str() && *end == '\0') out.push_back(v);
  }
  return out;
}

Measurements messaging_measurements(double seconds, double messages) {
  return {{workload_metric("time_s", seconds, "s", kLower),
           workload_metric("messages_per_s", seconds > 0 ? messages / seconds : 0, "msg/s", kHigher)},
          {}};
}

// ---- schbench ----

struct SchbenchBlock {
  std::map<std::string, double> pct;  // "50.0" -> value
  std::optional<double> min, max;
};

// One "\t  50.0th: 12   (265 samples)" or "\t* 99.0th: ..." or "\t  min=1, max=27971" line.
void parse_schbench_entry(const std::string& raw, SchbenchBlock& block) {
  auto line = base::trim(raw);
  if (starts_with(line, "*")) line = base::trim(line.substr(1));  // the starred line's extra token
  if (starts_with(line, "min=")) {
    block.min = number_after(line, "min=");
    block.max = number_after(line, "max=");
    return;
  }
  const auto th = line.find("th:");
  if (th == std::string::npos) return;
  if (auto v = number_after(line, "th:")) block.pct[line.substr(0, th)] = *v;
}

struct SchbenchText {
  SchbenchBlock wakeup, request, rps;
  std::optional<double> average_rps, transfer_ops;
};

SchbenchText parse_schbench_text(const std::string& err) {
  const auto lines = split_lines(err);
  std::size_t last = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (starts_with(lines[i], "Wakeup Latencies percentiles")) last = i;
  }
  SchbenchText t;
  SchbenchBlock* block = nullptr;
  for (std::size_t i = last; i < lines.size(); ++i) {
    const auto& line = lines[i];
    if (starts_with(line, "Wakeup Latencies")) block = &t.wakeup;
    else if (starts_with(line, "Request Latencies")) block = &t.request;
    else if (starts_with(line, "RPS percentiles")) block = &t.rps;
    else if (starts_with(line, "\t") && block) parse_schbench_entry(line, *block);
    else if (starts_with(line, "average rps:")) t.average_rps = number_after(line, "average rps:");
    else if (starts_with(line, "avg worker transfer:")) t.transfer_ops = number_after(line, "avg worker transfer:");
    else block = nullptr;  // "sched delay" (always 0), "current rps", anything else
  }
  return t;
}

// The `-j` JSON's "int" object as blocks.
std::optional<SchbenchText> parse_schbench_json(const std::string& out) {
  for (const auto& line : split_lines(out)) {
    if (!starts_with(base::trim(line), "{")) continue;
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.contains("int")) continue;
    SchbenchText t;
    for (const auto& [key, value] : j["int"].items()) {
      if (!value.is_number()) continue;
      const double v = value.get<double>();
      for (auto [prefix, block] : {std::pair{std::string("wakeup_latency_"), &t.wakeup},
                                   {std::string("request_latency_"), &t.request}, {std::string("rps_"), &t.rps}}) {
        if (!starts_with(key, prefix)) continue;
        const auto rest = key.substr(prefix.size());
        if (starts_with(rest, "pct")) block->pct[rest.substr(3)] = v;
        if (rest == "min") block->min = v;
        if (rest == "max") block->max = v;
      }
    }
    return t;
  }
  return std::nullopt;
}

void add_schbench_latency(Measurements& m, const std::string& name, const SchbenchBlock& b) {
  for (const auto& [key, label] : {std::pair{"50.0", "p50"}, {"90.0", "p90"}, {"99.0", "p99"}, {"99.9", "p99.9"}}) {
    if (auto it = b.pct.find(key); it != b.pct.end()) {
      m.metrics.push_back(workload_metric(fmt::format("{}_us.{}", name, label), it->second, "us", kLower));
    }
  }
  if (b.max) m.metrics.push_back(workload_metric(name + "_us.max", *b.max, "us", kLower));
}

// ---- cyclictest ----

struct CyclicThread {
  double cycles = 0, min = 0, avg = 0, max = 0;
  std::map<long, std::uint64_t> histogram;  // us -> count, empty without -h
  std::optional<double> overflows;          // known from the text's overflow line
};

// Percentile (nearest rank) over all threads' histograms; nullopt when the rank falls into
// the overflow (beyond the histogram) or there is no histogram.
std::optional<double> histogram_percentile(const std::map<long, std::uint64_t>& merged, double total, double p) {
  const auto rank = std::max(1.0, std::ceil(p / 100.0 * total - 1e-9));
  double seen = 0;
  for (const auto& [us, count] : merged) {
    seen += static_cast<double>(count);
    if (seen >= rank) return static_cast<double>(us);
  }
  return std::nullopt;
}

Measurements cyclictest_measurements(const std::vector<CyclicThread>& threads) {
  if (threads.empty()) throw WorkloadFailure("cyclictest: no per-thread results in its output");
  double cycles = 0, weighted_avg = 0, min = threads[0].min, max = 0;
  std::map<long, std::uint64_t> merged;
  double in_histogram = 0;
  for (const auto& t : threads) {
    cycles += t.cycles;
    weighted_avg += t.avg * t.cycles;
    min = std::min(min, t.min);
    max = std::max(max, t.max);
    for (const auto& [us, n] : t.histogram) {
      merged[us] += n;
      in_histogram += static_cast<double>(n);
    }
  }
  Measurements m;
  m.metrics = {workload_metric("latency_us.min", min, "us", kLower),
               workload_metric("latency_us.avg", cycles > 0 ? weighted_avg / cycles : 0, "us", kLower),
               workload_metric("latency_us.max", max, "us", kLower),
               workload_metric("cycles", cycles, "count", kInfo)};
  if (merged.empty()) return m;
  const double overflows = std::max(0.0, cycles - in_histogram);
  m.metrics.push_back(workload_metric("histogram_overflows", overflows, "count", kInfo));
  for (const auto& [label, p] : {std::pair{"p50", 50.0}, {"p99", 99.0}, {"p99.9", 99.9}}) {
    if (auto v = histogram_percentile(merged, cycles, p)) {
      m.metrics.push_back(workload_metric(fmt::format("latency_us.{}", label), *v, "us", kLower));
    }
  }
  if (overflows == 0) {
    stats::LogLinearHistogram h;
    for (const auto& [us, n] : merged) {
      for (std::uint64_t i = 0; i < n; ++i) h.record(static_cast<std::uint64_t>(us));
    }
    m.histograms.push_back({"latency", "us", h});
  }
  return m;
}

// "# Max Latencies: 00967 00157" -> one value per thread.
std::vector<double> per_thread_values(const std::vector<std::string>& lines, const std::string& label) {
  for (const auto& line : lines) {
    if (starts_with(line, label)) return numbers_in(line.substr(label.size()));
  }
  return {};
}

std::vector<CyclicThread> cyclictest_histogram_threads(const std::vector<std::string>& lines) {
  const auto totals = per_thread_values(lines, "# Total:");
  const auto mins = per_thread_values(lines, "# Min Latencies:");
  const auto avgs = per_thread_values(lines, "# Avg Latencies:");
  const auto maxs = per_thread_values(lines, "# Max Latencies:");
  const auto overflows = per_thread_values(lines, "# Histogram Overflows:");
  std::vector<CyclicThread> threads(totals.size());
  if (mins.size() != totals.size() || avgs.size() != totals.size() || maxs.size() != totals.size()) {
    throw WorkloadFailure("cyclictest: the histogram summary lines disagree on the number of threads");
  }
  for (std::size_t i = 0; i < threads.size(); ++i) {
    threads[i] = {totals[i], mins[i], avgs[i], maxs[i], {}, i < overflows.size() ? std::optional(overflows[i]) : std::nullopt};
  }
  // A histogram row is a latency (us) and a count per thread, all non-negative integers; a
  // line of other numbers is not one (converting 4e62 to an integer is undefined: found by
  // fuzz/cyclictest).
  const auto is_count = [](double x) { return x >= 0 && x < 0x1p63 && x == std::floor(x); };
  for (const auto& line : lines) {
    if (line.empty() || line[0] == '#') continue;
    const auto v = numbers_in(line);
    if (v.size() != threads.size() + 1 || !std::all_of(v.begin(), v.end(), is_count)) continue;
    for (std::size_t i = 0; i < threads.size(); ++i) {
      if (v[i + 1] > 0) threads[i].histogram[static_cast<long>(v[0])] = static_cast<std::uint64_t>(v[i + 1]);
    }
  }
  // A histogram that does not add up (a truncated dump) gives no percentiles.
  for (auto& t : threads) {
    double sum = 0;
    for (const auto& [us, n] : t.histogram) sum += static_cast<double>(n);
    if (std::abs(sum + t.overflows.value_or(0) - t.cycles) > 0.5) t.histogram.clear();
  }
  return threads;
}

// "T: 0 (26944) P:80 I:1000 C:   4990 Min:      9 Act:  324 Avg:   80 Max:    3096"
std::optional<CyclicThread> cyclictest_summary_line(const std::string& line) {
  if (!starts_with(line, "T:")) return std::nullopt;
  const auto c = number_after(line, "C:"), min = number_after(line, "Min:"), avg = number_after(line, "Avg:"),
             max = number_after(line, "Max:");
  if (!c || !min || !avg || !max) return std::nullopt;
  return CyclicThread{*c, *min, *avg, *max, {}, std::nullopt};
}

// ---- stress-ng ----

std::string slug(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (std::isalnum(static_cast<unsigned char>(ch))) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    } else if (!out.empty() && out.back() != '_') {
      out += '_';
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

// The text after "stress-ng: metrc: [PID] " or "stress-ng: info:  [PID] "; "" for other lines.
std::string stress_ng_payload(const std::string& line, const std::string& kind) {
  if (!starts_with(line, "stress-ng: " + kind + ":")) return "";
  const auto bracket = line.find("] ");
  return bracket == std::string::npos ? "" : line.substr(bracket + 2);
}

// "switch  3813.10 nanosecs per context switch (pipe method) (geometic mean of 2 instances)"
void add_stress_ng_misc(Measurements& m, const std::string& payload) {
  std::istringstream in(payload);
  std::string stressor, value_text;
  if (!(in >> stressor >> value_text)) return;
  char* end = nullptr;
  const double v = std::strtod(value_text.c_str(), &end);
  if (*end != '\0') return;
  std::string description;
  std::getline(in, description);
  if (const auto mean = description.find("(geometic mean"); mean != std::string::npos) description.erase(mean);
  if (const auto mean = description.find("(geometric mean"); mean != std::string::npos) description.erase(mean);
  if (const auto mean = description.find("(harmonic mean"); mean != std::string::npos) description.erase(mean);
  m.metrics.push_back(workload_metric(fmt::format("{}.{}", stressor, slug(description)), v, "", kInfo));
}

// "cyclic:   99.00%:      53509 ns" and "cyclic:   min: 12979 ns, max: 242321 ns, ..."
void add_stress_ng_cyclic(Measurements& m, const std::string& payload) {
  if (!starts_with(payload, "cyclic:")) return;
  const auto body = base::trim(payload.substr(7));
  static const std::map<std::string, std::string> wanted{{"50.00%:", "p50"}, {"90.00%:", "p90"}, {"99.00%:", "p99"}, {"99.90%:", "p99.9"}};
  for (const auto& [prefix, label] : wanted) {
    if (starts_with(body, prefix)) {
      if (auto ns = number_after(body, prefix)) {
        m.metrics.push_back(workload_metric("cyclic.latency_us." + label, *ns / 1000.0, "us", kLower));
      }
    }
  }
  if (starts_with(body, "min:")) {
    if (auto ns = number_after(body, "max:")) m.metrics.push_back(workload_metric("cyclic.latency_us.max", *ns / 1000.0, "us", kLower));
  }
}

}  // namespace

Measurements parse_hackbench(const std::string& out) {
  const double seconds = require(number_after(out, "Time:"), "hackbench", "Time:");
  const double groups = require(number_after(out, "mode with"), "hackbench", "Running in ... mode with N groups");
  const double fds = require(number_after(out, "using"), "hackbench", "using N file descriptors") / 2;
  const double loops = require(number_after(out, "will pass"), "hackbench", "Each sender will pass N messages");
  return messaging_measurements(seconds, groups * fds * fds * loops);
}

Measurements parse_perf_messaging(const std::string& out, long loops) {
  const double seconds = require(number_after(out, "Total time:"), "perf bench sched messaging", "Total time:");
  const double groups = require(last_match(out, R"((\d+) groups ==)"), "perf bench sched messaging", "N groups ==");
  return messaging_measurements(seconds, groups * kPerfMessagingFds * kPerfMessagingFds * static_cast<double>(loops));
}

Measurements parse_perf_pipe(const std::string& out, long loops) {
  const auto usecs = last_match(out, R"(([0-9.]+) usecs/op)");
  const auto total = number_after(out, "Total time:");
  const auto simple = numbers_in(out);  // -f simple: the total time alone
  const double seconds = require(total ? total : (simple.size() == 1 ? std::optional(simple[0]) : std::nullopt),
                                 "perf bench sched pipe", "Total time:");
  const double us_per_op = usecs ? *usecs : seconds * 1e6 / static_cast<double>(loops);
  const auto ops = last_match(out, R"(([0-9.]+) ops/sec)");
  return {{workload_metric("usecs_per_op", us_per_op, "us", kLower),
           workload_metric("ops_per_s", ops ? *ops : 1e6 / us_per_op, "ops/s", kHigher),
           workload_metric("time_s", seconds, "s", kLower)},
          {}};
}

Measurements parse_schbench(const std::string& out, const std::string& err) {
  const auto text = parse_schbench_text(err);
  const auto json = parse_schbench_json(out);
  const auto& source = json ? *json : text;
  if (source.wakeup.pct.empty()) {
    throw WorkloadFailure("schbench: no \"Wakeup Latencies percentiles\" block on stderr and no -j JSON on stdout");
  }
  Measurements m;
  add_schbench_latency(m, "wakeup_latency", source.wakeup);
  add_schbench_latency(m, "request_latency", source.request);
  if (text.average_rps) m.metrics.push_back(workload_metric("rps.avg", *text.average_rps, "req/s", kHigher));
  for (const auto& [key, label] : {std::pair{"50.0", "rps.p50"}, {"90.0", "rps.p90"}}) {
    if (auto it = source.rps.pct.find(key); it != source.rps.pct.end()) {
      m.metrics.push_back(workload_metric(label, it->second, "req/s", kHigher));
    }
  }
  if (text.transfer_ops) m.metrics.push_back(workload_metric("transfer_ops_per_s", *text.transfer_ops, "ops/s", kHigher));
  return m;
}

Measurements parse_stress_ng(const std::string& err) {
  Measurements m;
  double total_rate = 0;
  bool any = false, misc = false;
  for (const auto& line : split_lines(err)) {
    const auto metrc = stress_ng_payload(line, "metrc");
    if (starts_with(metrc, "miscellaneous metrics")) misc = true;
    std::istringstream in(metrc);
    std::string stressor;
    in >> stressor;
    std::string rest;
    std::getline(in, rest);
    const auto v = numbers_in(rest);
    if (!misc && v.size() == 6 && stressor != "stressor") {
      any = true;
      total_rate += v[4];
      m.metrics.push_back(workload_metric("bogo_ops." + stressor, v[0], "ops", kInfo));
      m.metrics.push_back(workload_metric("bogo_ops_per_s." + stressor, v[4], "ops/s", kHigher));
      m.metrics.push_back(workload_metric("bogo_ops_per_cpu_s." + stressor, v[5], "ops/s", kHigher));
    } else if (misc && !metrc.empty() && !starts_with(metrc, "miscellaneous")) {
      add_stress_ng_misc(m, metrc);
    }
    add_stress_ng_cyclic(m, stress_ng_payload(line, "info"));
  }
  if (!any) throw WorkloadFailure("stress-ng: no metrics lines on stderr (it needs --metrics-brief)");
  m.metrics.insert(m.metrics.begin(), workload_metric("bogo_ops_per_s", total_rate, "ops/s", kHigher));
  return m;
}

Measurements parse_cyclictest_text(const std::string& out) {
  const auto lines = split_lines(out);
  if (std::any_of(lines.begin(), lines.end(), [](const std::string& l) { return starts_with(l, "# Total:"); })) {
    return cyclictest_measurements(cyclictest_histogram_threads(lines));
  }
  std::vector<CyclicThread> threads;
  for (const auto& line : lines) {
    if (auto t = cyclictest_summary_line(line)) threads.push_back(*t);
  }
  return cyclictest_measurements(threads);
}

Measurements parse_cyclictest_json(const std::string& json) {
  const auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.contains("thread")) throw WorkloadFailure("cyclictest: its --json file is not the expected JSON");
  std::vector<CyclicThread> threads;
  for (const auto& [index, t] : j["thread"].items()) {
    CyclicThread c{t.value("cycles", 0.0), t.value("min", 0.0), t.value("avg", 0.0), t.value("max", 0.0), {}, std::nullopt};
    if (t.contains("histogram")) {
      for (const auto& [us, n] : t["histogram"].items()) c.histogram[std::stol(us)] = n.get<std::uint64_t>();
    }
    threads.push_back(std::move(c));
  }
  return cyclictest_measurements(threads);
}

}  // namespace scxlab::workloads
