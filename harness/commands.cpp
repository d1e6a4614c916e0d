#include "harness/commands.hpp"

#include <filesystem>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "harness/errors.hpp"
#include "harness/history.hpp"
#include "harness/results.hpp"
#include "harness/tune.hpp"
#include "metrics/collector.hpp"
#include "schedulers/journal.hpp"
#include "schedulers/scheduler.hpp"
#include "workloads/workload.hpp"

namespace scxlab::harness {
namespace fs = std::filesystem;
namespace {

nlohmann::json list_schedulers_json(const std::vector<std::string>& dirs) {
  auto out = nlohmann::json::array();
  for (const auto& row : schedulers::list_schedulers(schedulers::load_manifests(dirs))) {
    out.push_back({{"name", row.manifest.name},
                   {"backend", schedulers::to_string(row.manifest.backend)},
                   {"installed", row.installed},
                   {"runnable", row.runnable},
                   {"reason", row.reason},
                   {"summary", row.manifest.summary}});
  }
  return out;
}

nlohmann::json list_workloads_json() {
  auto out = nlohmann::json::array();
  for (const auto& w : workloads::list_workloads()) {
    auto params = nlohmann::json::array();
    for (const auto& p : w.params) {
      nlohmann::json pj = {{"name", p.name}, {"type", p.type}, {"default", p.default_value}, {"help", p.help}};
      if (p.min) pj["min"] = *p.min;
      if (p.max) pj["max"] = *p.max;
      if (!p.choices.empty()) pj["choices"] = p.choices;
      params.push_back(pj);
    }
    auto metrics = nlohmann::json::array();
    for (const auto& m : w.metrics) {
      metrics.push_back({{"name", m.name}, {"unit", m.unit}, {"direction", to_string(m.direction)},
                         {"headline", m.headline}});
    }
    out.push_back({{"name", w.name}, {"summary", w.summary}, {"tool", w.tool},
                   {"install_hint", w.install_hint}, {"params", params}, {"metrics", metrics}});
  }
  return out;
}

nlohmann::json list_suites_json() {
  auto out = nlohmann::json::array();
  for (const auto& name : workloads::list_suites()) {
    const auto suite = workloads::load_suite(name);
    auto entries = nlohmann::json::array();
    for (const auto& e : suite.entries) entries.push_back({{"label", e.label}, {"workload", e.workload}, {"params", e.params}});
    out.push_back({{"name", suite.name}, {"description", suite.description}, {"entries", entries}});
  }
  return out;
}

nlohmann::json list_metrics_json() {
  auto out = nlohmann::json::array();
  for (const auto& c : metrics::probe_capabilities(metrics::CollectorOptions{})) {
    out.push_back({{"name", c.name}, {"available", c.available}, {"reason", c.reason}});
  }
  return out;
}

void print_schedulers(const nlohmann::json& rows) {
  std::cout << fmt::format("{:<16} {:<7} {:<10} {}\n", "scheduler", "backend", "can run", "notes");
  for (const auto& r : rows) {
    const std::string note = r["runnable"].get<bool>() ? r["summary"].get<std::string>() : r["reason"].get<std::string>();
    std::cout << fmt::format("{:<16} {:<7} {:<10} {}\n", r["name"].get<std::string>(),
                             r["backend"].get<std::string>(), r["runnable"].get<bool>() ? "yes" : "no", note);
  }
}

void print_workloads(const nlohmann::json& rows) {
  for (const auto& w : rows) {
    std::cout << w["name"].get<std::string>() << ": " << w["summary"].get<std::string>();
    if (!w["tool"].get<std::string>().empty()) std::cout << "  [needs " << w["tool"].get<std::string>() << "]";
    std::cout << "\n";
    for (const auto& p : w["params"]) {
      std::string range;
      if (p.contains("min")) range = fmt::format(" [{}..{}]", p["min"].get<double>(), p["max"].get<double>());
      if (p.contains("choices")) range = fmt::format(" {{{}}}", fmt::join(p["choices"].get<std::vector<std::string>>(), "|"));
      std::cout << fmt::format("    {:<22} {:<7} default {}{}  {}\n", p["name"].get<std::string>(),
                               p["type"].get<std::string>(), p["default"].get<std::string>(), range,
                               p["help"].get<std::string>());
    }
    std::vector<std::string> metric_names;
    for (const auto& m : w["metrics"]) metric_names.push_back(m["name"].get<std::string>());
    std::cout << "    metrics: " << fmt::format("{}", fmt::join(metric_names, ", ")) << "\n";
  }
}

void print_suites(const nlohmann::json& rows) {
  for (const auto& s : rows) {
    std::cout << s["name"].get<std::string>() << ": " << s["description"].get<std::string>() << "\n";
    for (const auto& e : s["entries"]) {
      std::vector<std::string> kv;
      for (const auto& [k, v] : e["params"].items()) kv.push_back(k + "=" + v.get<std::string>());
      std::cout << fmt::format("    {:<22} {} {}\n", e["label"].get<std::string>(), e["workload"].get<std::string>(),
                               fmt::join(kv, ","));
    }
  }
}

void print_metrics(const nlohmann::json& rows) {
  for (const auto& m : rows) {
    std::cout << fmt::format("  {:<4} {:<28} {}\n", m["available"].get<bool>() ? "ok" : "no",
                             m["name"].get<std::string>(), m["reason"].get<std::string>());
  }
}

// The run directories under the given paths (a run directory holds results.db).
std::vector<fs::path> find_run_dirs(const std::vector<std::string>& paths) {
  std::vector<fs::path> dirs;
  for (const auto& p : paths) {
    if (fs::exists(fs::path(p) / "results.db")) {
      dirs.emplace_back(p);
      continue;
    }
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(p, ec)) {
      if (fs::exists(entry.path() / "results.db")) dirs.push_back(entry.path());
    }
    if (ec) throw UsageError(fmt::format("cannot read '{}': {}", p, ec.message()));
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

// A tune's validation compares "tuned" with "default" on the objective and the bounds' metrics.
AnalysisRequest tune_request(const store::RunInfo& run) {
  const auto options = run.plan.value("options", nlohmann::json::object());
  const auto& tune = run.outcome.is_object() ? run.outcome.value("tune", nlohmann::json::object()) : nlohmann::json::object();
  AnalysisRequest request{"default", options.value("min_effect", 0.02), {}, run.seed};
  std::string objective = tune.value("objective", std::string());
  for (const char* key : {"minimize", "maximize"}) {
    if (objective.empty()) objective = options.value(key, std::string());
  }
  const auto workload = tune.value("workload", std::string());
  if (workload.empty() || objective.empty()) return request;
  auto& headline = request.headlines[workload];
  headline.insert(objective);
  for (const auto& text : options.value("subject_to", std::vector<std::string>{})) headline.insert(parse_bound(text).metric);
  return request;
}

}  // namespace

AnalysisRequest request_from_plan(const store::RunInfo& run) {
  if (run.kind == "tune") return tune_request(run);
  AnalysisRequest request;
  request.baseline = run.plan.value("baseline", "");
  request.seed = run.seed;
  request.min_effect = run.plan.contains("options") ? run.plan["options"].value("min_effect", 0.02) : 0.02;
  for (const auto& e : run.plan.value("entries", nlohmann::json::array())) {
    auto& headline = request.headlines[e.at("label").get<std::string>()];
    if (const auto info = workloads::find_workload(e.at("workload"))) {
      for (const auto& m : info->metrics) {
        if (m.headline) headline.insert(m.name);
      }
    }
  }
  return request;
}

int list_command(const ListOptions& o) {
  nlohmann::json rows;
  if (o.what == "schedulers") rows = list_schedulers_json(o.manifest_dirs);
  if (o.what == "workloads") rows = list_workloads_json();
  if (o.what == "suites") rows = list_suites_json();
  if (o.what == "metrics") rows = list_metrics_json();
  if (o.json) {
    std::cout << rows.dump(2) << "\n";
    return kExitOk;
  }
  if (o.what == "schedulers") print_schedulers(rows);
  if (o.what == "workloads") print_workloads(rows);
  if (o.what == "suites") print_suites(rows);
  if (o.what == "metrics") print_metrics(rows);
  return kExitOk;
}

int history_command(const HistoryOptions& o) {
  if (!o.metric.empty()) return metric_history_command(o);
  const auto dirs = find_run_dirs(o.dirs.empty() ? std::vector<std::string>{"scxlab-results"} : o.dirs);
  auto out = nlohmann::json::array();
  for (const auto& dir : dirs) {
    const auto db = open_results_db((dir / "results.db").string());
    for (const auto& run : db.runs()) {
      out.push_back({{"dir", dir.string()}, {"run", run.id}, {"kind", run.kind},
                     {"created", run.created_utc}, {"status", run.status},
                     {"host", run.host.value("hostname", "")}, {"kernel", run.host.value("kernel", "")},
                     {"trials", db.trials(run.id).size()}});
    }
  }
  if (o.json) {
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  if (out.empty()) std::cout << "no runs found (looked in: scxlab-results or the given directories)\n";
  for (const auto& r : out) {
    std::cout << fmt::format("{}  {:<8} {:<11} {:>4} trials  {} {}  {}\n", r["created"].get<std::string>(),
                             r["kind"].get<std::string>(), r["status"].get<std::string>(),
                             r["trials"].get<std::size_t>(), r["host"].get<std::string>(),
                             r["kernel"].get<std::string>(), r["dir"].get<std::string>());
  }
  return kExitOk;
}

int report_command(const ReportOptions& o) {
  const auto path = fs::path(o.dir) / "results.db";
  if (!fs::exists(path)) throw UsageError(fmt::format("no results.db in '{}' (give a run's output directory)", o.dir));
  const auto db = open_results_db(path.string());
  const auto runs = db.runs();
  if (runs.empty()) throw UsageError(fmt::format("{} holds no run", path.string()));
  const auto& run = runs.back();
  write_outputs(db, run.id, o.dir, request_from_plan(run), o.json, {});
  return kExitOk;
}

int restore_command() {
  schedulers::Journal journal;
  const auto lines = journal.replay();
  if (lines.empty()) std::cout << "nothing to restore: the journal is empty\n";
  for (const auto& line : lines) std::cout << line << "\n";
  return kExitOk;
}

}  // namespace scxlab::harness
