#include "harness/recommendation.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <regex>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include "base/files.hpp"
#include "base/quote.hpp"
#include "harness/results.hpp"
#include "harness/tune_space.hpp"
#include "reports/report.hpp"

namespace scxlab::harness {
namespace {

const stats::MetricResult* find_metric(const stats::RunAnalysis& a, const std::string& workload,
                                       const std::string& scheduler, const std::string& metric) {
  for (const auto& w : a.workloads) {
    if (w.workload != workload) continue;
    for (const auto& s : w.schedulers) {
      if (s.scheduler != scheduler) continue;
      for (const auto& m : s.metrics) {
        if (m.metric == metric) return &m;
      }
    }
  }
  return nullptr;
}

std::string describe(const stats::Comparison& c) {
  return fmt::format("{} {}", stats::to_string(c.call), reports::comparison_text(c));
}

// Every bound checked on the validation medians; false if one fails or was not measured.
bool check_bounds(const stats::RunAnalysis& a, const std::string& workload, const std::vector<Bound>& bounds,
                  std::vector<std::string>& lines) {
  bool all = true;
  for (const auto& b : bounds) {
    const auto* tuned = find_metric(a, workload, "tuned", b.metric);
    const auto* base = find_metric(a, workload, "default", b.metric);
    if (!tuned || !base) {
      lines.push_back(fmt::format("{}: not measured in the validation", b.text));
      all = false;
      continue;
    }
    const double limit = b.relative ? b.factor * base->summary.median : b.factor;
    const double v = tuned->summary.median;
    const bool holds = b.at_least ? v >= limit : v <= limit;
    all = all && holds;
    lines.push_back(fmt::format("{}: tuned median {:.4g} {} {:.4g}{}: {}", b.text, v, b.at_least ? ">=" : "<=", limit,
                                b.relative ? fmt::format(" ({:g} x default {:.4g})", b.factor, base->summary.median) : "",
                                holds ? "holds" : "VIOLATED"));
  }
  return all;
}

// "eevdf:render_nice=-5,render_policy=fifo": the knobs that differ from the default.
std::string shootout_spec(const Recommendation& r) {
  std::vector<std::string> items;
  for (const auto& [knob, value] : r.config.knobs) {
    const auto* k = r.manifest.find_knob(knob);
    if (!k || k->default_value != value) items.push_back(knob + "=" + value);
  }
  return items.empty() ? r.manifest.name : fmt::format("{}:{}", r.manifest.name, fmt::join(items, ","));
}

toml::table knob_table(const nlohmann::json& values) {
  toml::table t;
  for (const auto& [k, v] : values.items()) {
    if (v.is_boolean()) t.insert(k, v.get<bool>());
    else if (v.is_number_integer()) t.insert(k, v.get<std::int64_t>());
    else if (v.is_number()) t.insert(k, v.get<double>());
    else t.insert(k, v.get<std::string>());
  }
  return t;
}

toml::array string_array(const std::vector<std::string>& items) {
  toml::array a;
  for (const auto& s : items) a.push_back(s);
  return a;
}

// Reasons that differ only in numbers (a pid, a knob value, a duration) are one group.
std::string group_key(const std::string& reason) {
  static const std::regex numbers("[0-9]+(\\.[0-9]+)?");
  return std::regex_replace(reason, numbers, "#");
}

void add_to(std::vector<EvaluationTally::Group>& groups, const std::string& reason) {
  const auto key = group_key(reason);
  const auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return group_key(g.reason) == key; });
  if (it == groups.end()) groups.push_back({1, reason});
  else ++it->count;
  std::stable_sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) { return a.count > b.count; });
}

std::vector<std::string> group_lines(const std::vector<EvaluationTally::Group>& groups) {
  std::vector<std::string> out;
  for (const auto& g : groups) out.push_back(fmt::format("{}x {}", g.count, g.reason));
  return out;
}

// "5 evaluations (2 measured, 0 failed, 3 refused before running)".
std::string counts(const EvaluationTally& t) {
  return fmt::format("{} evaluation{} ({} measured, {} failed, {} refused before running)", t.total(),
                     t.total() == 1 ? "" : "s", t.measured, t.failed, t.refused);
}

std::string keep_default_verdict(const EvaluationTally& t) {
  const std::size_t proposed = t.total() > 0 ? t.total() - 1 : 0;  // after the default
  if (proposed > 0 && t.measured <= 1) {
    return fmt::format("keep the default: none of the {} configurations proposed after it ran without failure "
                       "({} failed, {} refused before running), so there was nothing to validate against it",
                       proposed, t.failed, t.refused);
  }
  return fmt::format("keep the default: after {} the model's best configuration is the default itself", counts(t));
}

toml::table scx_loader_table(const Recommendation& r) {
  const auto args = schedulers::build_args(r.manifest, r.config);
  return toml::table{{"scheds", toml::table{{r.manifest.binary, toml::table{{"auto_mode", string_array(args)}}}}}};
}

std::string toml_text(const toml::table& t) {
  std::ostringstream out;
  out << t << "\n";
  return out.str();
}

nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

nlohmann::json numbers(const std::vector<double>& values) {
  auto a = nlohmann::json::array();
  for (const double v : values) a.push_back(number_or_null(v));
  return a;
}

nlohmann::json validation_json(const stats::Comparison& c) {
  return {{"call", stats::to_string(c.call)},        {"text", reports::comparison_text(c)},
          {"ratio", number_or_null(c.ratio)},        {"ratio_ci_low", number_or_null(c.ratio_ci_low)},
          {"ratio_ci_high", number_or_null(c.ratio_ci_high)}, {"difference", c.difference},
          {"difference_ci_low", c.difference_ci_low}, {"difference_ci_high", c.difference_ci_high},
          {"no_ratio", c.no_ratio},                  {"p_adjusted", c.p_adjusted},
          {"reason", c.reason}};
}

// Every knob of the space: its recommended value next to its default.
nlohmann::json knob_rows(const Recommendation& r, const tuner::Space& space) {
  const auto defaults = space.to_json(space.defaults());
  auto rows = nlohmann::json::array();
  for (const auto& [name, value] : r.knob_values.items()) {
    rows.push_back({{"name", name}, {"value", value}, {"default", defaults.value(name, nlohmann::json())}});
  }
  return rows;
}

nlohmann::json trace_json(const std::vector<tuner::TracePoint>& trace) {
  auto a = nlohmann::json::array();
  for (const auto& t : trace) {
    a.push_back({{"index", t.index}, {"ok", t.ok}, {"feasible", t.feasible}, {"value", number_or_null(t.value)},
                 {"best", number_or_null(t.best)}});
  }
  return a;
}

nlohmann::json effects_json(const std::vector<tuner::PartialDependence>& effects) {
  auto a = nlohmann::json::array();
  for (const auto& e : effects) {
    a.push_back({{"knob", e.knob}, {"at", numbers(e.at)}, {"labels", e.labels}, {"mean", numbers(e.mean)},
                 {"low", numbers(e.low)}, {"high", numbers(e.high)}});
  }
  return a;
}

// /etc/default/scx for scx.service, or, where its unquoted expansion cannot carry the
// arguments, a comment saying why (the command line above still works).
std::string etc_default_scx(const std::string& binary, const std::vector<std::string>& args) {
  const auto scheduler = base::scx_default_line("SCX_SCHEDULER", {binary});
  const auto flags = base::scx_default_line("SCX_FLAGS", args);
  if (!scheduler || !flags) return "# " + base::scx_default_problem(scheduler ? args : std::vector<std::string>{binary});
  return *scheduler + "\n" + *flags;
}

}  // namespace

UseSnippets use_snippets(const Recommendation& r) {
  UseSnippets u;
  if (!r.command_line.empty()) {
    u.command = r.command_line;
    return u;
  }
  u.shootout = "scxlab shootout -s " + base::shell_words({shootout_spec(r)});
  if (r.manifest.backend == schedulers::BackendKind::scx) {
    const auto args = schedulers::build_args(r.manifest, r.config);
    u.command = base::shell_words({r.manifest.binary}) + (args.empty() ? "" : " " + base::shell_words(args));
    u.etc_default_scx = etc_default_scx(r.manifest.binary, args);
    u.scx_loader = toml_text(scx_loader_table(r));
  }
  return u;
}

nlohmann::json tune_outcome_json(const Recommendation& r, const tuner::Optimizer& optimizer, Direction direction) {
  const auto use = use_snippets(r);
  auto importance = nlohmann::json::array();
  for (const auto& k : r.importance) importance.push_back({{"knob", k.knob}, {"share", number_or_null(k.share)}});
  nlohmann::json tune = {
      {"verdict", r.verdict},
      {"recommend", r.recommend},
      {"scheduler", r.command_line.empty() ? r.scheduler : ""},
      {"workload", r.workload},
      {"objective", r.objective},
      {"direction", to_string(direction)},
      {"bounds", r.bound_checks},
      {"knobs", knob_rows(r, optimizer.space())},
      {"use", {{"command", use.command}, {"shootout", use.shootout}, {"etc_default_scx", use.etc_default_scx},
               {"scx_loader", use.scx_loader}}},
      {"importance", importance},
      {"trace", trace_json(r.trace)},
      {"effects", effects_json(optimizer.partial_dependence())},
      {"evaluations", r.evaluations.to_json()},
      {"evaluation_lines", r.evaluations.lines()}};
  if (r.validation) tune["validation"] = validation_json(*r.validation);
  return {{"tune", tune}};
}

void EvaluationTally::add_failure(const std::string& reason) {
  ++failed;
  add_to(failures, reason);
}

void EvaluationTally::add_refusal(const std::string& reason) {
  ++refused;
  add_to(refusals, reason);
}

std::vector<std::string> EvaluationTally::lines() const {
  std::vector<std::string> out{counts(*this)};
  for (const auto& line : group_lines(failures)) out.push_back("failed: " + line);
  for (const auto& line : group_lines(refusals)) out.push_back("refused before running: " + line);
  return out;
}

nlohmann::json EvaluationTally::to_json() const {
  const auto groups = [](const std::vector<Group>& gs) {
    auto a = nlohmann::json::array();
    for (const auto& g : gs) a.push_back({{"count", g.count}, {"reason", g.reason}});
    return a;
  };
  return {{"total", total()}, {"measured", measured}, {"failed", failed}, {"refused", refused},
          {"failures", groups(failures)}, {"refusals", groups(refusals)}};
}

Recommendation decide(const store::ResultsDb& db, std::int64_t run_id, const std::string& workload,
                      const std::string& objective, const std::vector<Bound>& bounds,
                      const tuner::Optimizer& optimizer, const EvaluationTally& evaluations,
                      const schedulers::Manifest& manifest, bool best_is_default, double min_effect,
                      std::uint64_t seed) {
  Recommendation r;
  r.evaluations = evaluations;
  r.scheduler = manifest.name;
  r.workload = workload;
  r.objective = objective;
  r.manifest = manifest;
  r.importance = optimizer.importance();
  r.trace = optimizer.trace();
  const auto best = optimizer.recommend();
  const auto& space = optimizer.space();
  r.knob_values = space.to_json(best.config);
  r.config = to_scheduler_config(manifest, space, best.config, "tuned");
  if (best_is_default) {
    r.verdict = keep_default_verdict(evaluations);
    return r;
  }
  HeadlineMap headlines{{workload, {objective}}};
  for (const auto& b : bounds) headlines[workload].insert(b.metric);
  const auto analysis = analyse_run(db, run_id, {"default", min_effect, headlines, seed});
  const auto* tuned = find_metric(analysis, workload, "tuned", objective);
  if (tuned && tuned->vs_baseline) r.validation = tuned->vs_baseline;
  const bool bounds_hold = check_bounds(analysis, workload, bounds, r.bound_checks);
  const bool better = r.validation && r.validation->call == stats::Call::better;
  r.recommend = better && bounds_hold;
  const auto evidence = r.validation ? describe(*r.validation) : std::string("no validation numbers");
  if (r.recommend) {
    r.verdict = fmt::format("recommend the tuned configuration: {} {} vs the default", objective, evidence);
  } else if (better) {
    r.verdict = fmt::format("keep the default: {} is better ({}) but a bound does not hold", objective, evidence);
  } else {
    r.verdict = fmt::format("keep the default: the validation of the best of {} found {} {}", counts(evaluations),
                            objective, evidence);
  }
  return r;
}

std::string recommendation_toml(const Recommendation& r) {
  toml::table doc;
  doc.insert("verdict", r.verdict);
  doc.insert("recommend", r.recommend);
  if (r.command_line.empty()) doc.insert("scheduler", r.scheduler);  // a --space tune has none
  doc.insert("workload", r.workload);
  doc.insert("objective", r.objective);
  if (r.validation) {
    doc.insert("validation", toml::table{{"ratio", r.validation->ratio},
                                         {"ratio_ci_low", r.validation->ratio_ci_low},
                                         {"ratio_ci_high", r.validation->ratio_ci_high},
                                         {"p_adjusted", r.validation->p_adjusted},
                                         {"call", std::string(stats::to_string(r.validation->call))}});
  }
  if (!r.bound_checks.empty()) doc.insert("bounds", string_array(r.bound_checks));
  const auto& e = r.evaluations;
  doc.insert("evaluations", toml::table{{"total", static_cast<std::int64_t>(e.total())},
                                        {"measured", static_cast<std::int64_t>(e.measured)},
                                        {"failed", static_cast<std::int64_t>(e.failed)},
                                        {"refused", static_cast<std::int64_t>(e.refused)},
                                        {"failures", string_array(group_lines(e.failures))},
                                        {"refusals", string_array(group_lines(e.refusals))}});
  doc.insert("knobs", knob_table(r.knob_values));
  toml::table use;
  const auto snippets = use_snippets(r);
  if (!snippets.shootout.empty()) use.insert("shootout", snippets.shootout);
  if (!snippets.command.empty()) use.insert("command", snippets.command);
  if (!snippets.etc_default_scx.empty()) {
    use.insert("etc_default_scx", snippets.etc_default_scx);
    use.insert("scx_loader", scx_loader_table(r));
  }
  doc.insert("use", use);
  toml::table importance;
  for (const auto& k : r.importance) importance.insert(k.knob, k.share);
  doc.insert("importance", importance);
  toml::array best_so_far;
  for (const auto& t : r.trace) best_so_far.push_back(t.best);
  doc.insert("convergence", toml::table{{"best_so_far", best_so_far}});
  std::ostringstream out;
  out << "# scxlab tune: the recommendation for this machine (knob values, how to use them, the evidence)\n"
      << doc << "\n";
  return out.str();
}

nlohmann::json recommendation_json(const Recommendation& r) {
  return {{"verdict", r.verdict}, {"recommend", r.recommend}, {"knobs", r.knob_values},
          {"evaluations", r.evaluations.to_json()}};
}

void write_recommendation(const Recommendation& r, const std::string& dir, bool quiet) {
  const auto path = (std::filesystem::path(dir) / "recommendation.toml").string();
  base::write_file_atomically(path, recommendation_toml(r));
  if (quiet) return;
  std::cout << "\n" << r.verdict << "\n";
  for (const auto& line : r.bound_checks) std::cout << "  " << line << "\n";
  if (r.recommend) {
    std::cout << "  use: " << (r.command_line.empty() ? "scxlab shootout -s " + base::shell_words({shootout_spec(r)}) : r.command_line)
              << "\n";
  }
  if (!r.importance.empty()) {
    std::cout << "knob importance (share, from the model's length-scales):";
    for (const auto& k : r.importance) std::cout << fmt::format(" {} {:.0f}%", k.knob, 100 * k.share);
    std::cout << "\n";
  }
  std::cout << "wrote " << path << "\n";
}

}  // namespace scxlab::harness
