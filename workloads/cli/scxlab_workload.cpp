// scxlab-workload: runs one repetition of one workload outside the harness (no scheduler, no
// collectors) and prints its metrics; for developers and the measurement scripts in scripts/.
//   scxlab-workload list
//   scxlab-workload run messaging groups=4 loops=100 [--json | --value time_s] [--timeout 600]
#include <atomic>
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "workloads/workload.hpp"

namespace {

std::atomic<bool> interrupted{false};

void on_sigint(int) { interrupted = true; }

scxlab::workloads::Params parse_assignments(const std::vector<std::string>& items) {
  scxlab::workloads::Params p;
  for (const auto& item : items) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) throw CLI::ValidationError(fmt::format("expected key=value, got '{}'", item));
    p[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return p;
}

nlohmann::json to_json(const scxlab::workloads::Result& r) {
  auto metrics = nlohmann::json::object();
  for (const auto& m : r.metrics) {
    metrics[m.name] = {{"value", m.value}, {"unit", m.unit}, {"direction", scxlab::to_string(m.direction)}};
  }
  return {{"status", scxlab::workloads::to_string(r.status)}, {"reason", r.reason}, {"wall_s", r.wall_s},
          {"metrics", metrics}, {"stderr_tail", r.stderr_tail}};
}

int list() {
  for (const auto& w : scxlab::workloads::list_workloads()) {
    fmt::print("{:<16} {}{}\n", w.name, w.summary, w.unavailable.empty() ? "" : " [" + w.unavailable + "]");
  }
  for (const auto& s : scxlab::workloads::list_suites()) fmt::print("suite {}\n", s);
  return 0;
}

// One metric's value alone, for scripts; exit 1 when the run failed or lacks it.
int print_value(const scxlab::workloads::Result& r, const std::string& metric) {
  for (const auto& m : r.metrics) {
    if (m.name == metric) {
      fmt::print("{}\n", m.value);
      return 0;
    }
  }
  fmt::print(stderr, "no metric {} ({}: {})\n", metric, scxlab::workloads::to_string(r.status), r.reason);
  return 1;
}

int run(const std::string& name, const std::vector<std::string>& assignments, bool json, const std::string& value,
        double timeout_s) {
  scxlab::workloads::RunOptions o;
  o.timeout = std::chrono::milliseconds(static_cast<long long>(timeout_s * 1000));
  o.cancel = &interrupted;
  std::signal(SIGINT, on_sigint);
  const auto r = scxlab::workloads::run(name, parse_assignments(assignments), o);
  if (!value.empty()) return print_value(r, value);
  if (json) {
    std::cout << to_json(r).dump() << "\n";
  } else {
    fmt::print("{}: {} ({:.2f} s){}\n", name, scxlab::workloads::to_string(r.status), r.wall_s,
               r.reason.empty() ? "" : ": " + r.reason);
    for (const auto& m : r.metrics) fmt::print("  {:<36} {:>14.4f} {}\n", m.name, m.value, m.unit);
    if (r.status != scxlab::workloads::Result::Status::ok && !r.stderr_tail.empty()) fmt::print("stderr:\n{}\n", r.stderr_tail);
  }
  return r.status == scxlab::workloads::Result::Status::ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Run one repetition of an scxlab workload and print its metrics");
  app.require_subcommand(1);
  app.add_subcommand("list", "List the workloads and suites");
  auto* run_cmd = app.add_subcommand("run", "Run a workload once: run NAME [key=value ...]");
  std::string name;
  std::vector<std::string> assignments;
  bool json = false;
  std::string value;
  double timeout_s = 600;
  run_cmd->add_option("workload", name, "Workload name, or command:FILE.toml")->required();
  run_cmd->add_option("params", assignments, "Parameters as key=value");
  run_cmd->add_flag("--json", json, "Print the result as one JSON line");
  run_cmd->add_option("--value", value, "Print only this metric's value");
  run_cmd->add_option("--timeout", timeout_s, "Seconds before the run is killed")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    return app.got_subcommand("list") ? list() : run(name, assignments, json, value, timeout_s);
  } catch (const std::exception& e) {
    fmt::print(stderr, "scxlab-workload: {}\n", e.what());
    return 2;
  }
}
