#include "harness/compare.hpp"

#include <algorithm>
#include <iostream>
#include <set>

#include <unistd.h>

#include <fmt/format.h>

#include "base/files.hpp"
#include "harness/baseline.hpp"
#include "harness/commands.hpp"
#include "harness/errors.hpp"
#include "harness/host.hpp"
#include "harness/lab.hpp"
#include "harness/results.hpp"
#include "reports/compare.hpp"

namespace scxlab::harness {
namespace {

using Cell = std::pair<std::string, std::string>;  // scheduler, workload

struct Side {
  reports::CompareSide side;
  std::vector<store::TrialRecord> trials;
};

Side load_side(const std::string& path, const std::string& name) {
  const auto what = fmt::format("RUN_{} {}", name, path);
  auto loaded = load_run_at(path, what);
  if (!loaded) {
    throw UsageError(fmt::format("{}: no such run directory or results.json: give the output directory of a run (or "
                                 "its results.json), e.g. scxlab compare scxlab-results/<run-a> scxlab-results/<run-b>",
                                 what));
  }
  if (loaded->run.trials.empty()) throw UsageError(fmt::format("{} holds no trials: give a run that measured", what));
  return {{name, std::move(loaded->source), std::move(loaded->run.run)}, std::move(loaded->run.trials)};
}

std::vector<Cell> cells_of(const std::vector<store::TrialRecord>& trials) {
  std::vector<Cell> cells;
  for (const auto& t : trials) {
    const Cell c{t.scheduler, t.workload};
    if (std::find(cells.begin(), cells.end(), c) == cells.end()) cells.push_back(c);
  }
  return cells;
}

bool has(const std::vector<Cell>& cells, const Cell& c) { return std::find(cells.begin(), cells.end(), c) != cells.end(); }

// One side's trials of the shared cells of `scheduler`, relabelled for that side.
void add_side(std::vector<store::TrialRecord>& out, const std::vector<store::TrialRecord>& trials,
              const std::string& scheduler, const std::vector<Cell>& shared, const std::string& side) {
  for (auto t : trials) {
    if (t.scheduler != scheduler || !has(shared, {t.scheduler, t.workload})) continue;
    t.scheduler = reports::side_label(scheduler, side);
    out.push_back(std::move(t));
  }
}

// Adds one scheduler's analysis (B against A) to the merged one, workload by workload.
void merge(stats::RunAnalysis& into, stats::RunAnalysis part) {
  for (auto& w : part.workloads) {
    auto it = std::find_if(into.workloads.begin(), into.workloads.end(),
                           [&](const stats::WorkloadAnalysis& x) { return x.workload == w.workload; });
    if (it == into.workloads.end()) {
      into.workloads.emplace_back().workload = w.workload;
      it = std::prev(into.workloads.end());
    }
    for (auto& s : w.schedulers) s.rank = 0;  // a rank orders schedulers; a compare has two sides of one
    it->schedulers.insert(it->schedulers.end(), w.schedulers.begin(), w.schedulers.end());
    it->warnings.insert(it->warnings.end(), w.warnings.begin(), w.warnings.end());
    it->noisy.insert(it->noisy.end(), w.noisy.begin(), w.noisy.end());
  }
  for (auto& w : part.warnings) {
    if (std::find(into.warnings.begin(), into.warnings.end(), w) == into.warnings.end()) into.warnings.push_back(w);
  }
}

// The request both runs' plans imply: A's minimum effect and seed, each workload's headline
// metrics as either plan names them.
AnalysisRequest compare_request(const reports::CompareSide& a, const reports::CompareSide& b,
                                const CompareOptions& o) {
  auto request = request_from_plan(a.run);
  for (const auto& [workload, metrics] : request_from_plan(b.run).headlines) {
    request.headlines[workload].insert(metrics.begin(), metrics.end());
  }
  if (o.min_effect) request.min_effect = *o.min_effect;
  return request;
}

// A compare report is a run of its own for the shared HTML report: kind "compare", dated now,
// on A's host (B's is shown beside it in the compare section).
store::RunInfo compare_run(const reports::CompareSide& a, const reports::CompareSide& b) {
  store::RunInfo run = a.run;
  run.kind = "compare";
  run.uuid = fmt::format("{} vs {}", b.run.uuid, a.run.uuid);
  run.created_utc = utc_now_iso8601();
  run.scxlab_version = scxlab_version();
  run.status = a.run.status == "complete" && b.run.status == "complete" ? "complete" : "a run is not complete";
  run.plan = {{"a", a.run.plan}, {"b", b.run.plan}};
  return run;
}

reports::CompareReport build_report(const CompareOptions& o) {
  auto [a, run_a] = load_side(o.run_a, "A");
  auto [b, run_b] = load_side(o.run_b, "B");
  const auto cells_a = cells_of(run_a), cells_b = cells_of(run_b);
  reports::CompareReport report;
  std::vector<Cell> shared;
  std::vector<std::string> schedulers;
  for (const auto& c : cells_a) {
    if (!has(cells_b, c)) {
      report.only_in.push_back({"A", c.first, c.second});
      continue;
    }
    shared.push_back(c);
    if (std::find(schedulers.begin(), schedulers.end(), c.first) == schedulers.end()) schedulers.push_back(c.first);
  }
  for (const auto& c : cells_b) {
    if (!has(cells_a, c)) report.only_in.push_back({"B", c.first, c.second});
  }
  auto request = compare_request(a, b, o);
  stats::RunAnalysis analysis;
  analysis.baseline = "@A";
  std::vector<store::TrialRecord> trials;
  std::set<std::string> baselines;
  for (const auto& s : schedulers) {
    std::vector<store::TrialRecord> pair;
    add_side(pair, run_a, s, shared, "A");
    add_side(pair, run_b, s, shared, "B");
    request.baseline = reports::side_label(s, "A");
    merge(analysis, analyse_trials(pair, request));
    baselines.insert(request.baseline);
    trials.insert(trials.end(), pair.begin(), pair.end());
  }
  stats::AnalysisOptions shown;
  shown.min_effect = request.min_effect;
  report.input = {compare_run(a, b), std::move(trials), std::move(analysis), {}, shown, "", std::move(baselines)};
  report.a = std::move(a);
  report.b = std::move(b);
  return report;
}

void write_json(const nlohmann::json& j, const std::string& path) {
  if (path == "-") {
    std::cout << j.dump(2) << "\n";
    return;
  }
  base::write_file_atomically(path, j.dump(2) + "\n");
  std::cerr << "wrote " << path << "\n";
}

}  // namespace

int compare_command(const CompareOptions& o) {
  const auto report = build_report(o);
  if (o.json != "-") {
    reports::TerminalOptions options;
    options.color = reports::color_wanted(STDOUT_FILENO);
    std::cout << reports::render_compare_terminal(report, options);
  }
  if (!o.json.empty()) write_json(reports::compare_to_json(report), o.json);
  if (!o.html.empty()) {
    base::write_file_atomically(o.html, reports::render_compare_html(report));
    std::cerr << "wrote " << o.html << "\n";
  }
  return kExitOk;
}

}  // namespace scxlab::harness
