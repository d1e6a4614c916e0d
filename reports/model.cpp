#include "reports/model.hpp"

#include <algorithm>
#include <climits>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace scxlab::reports {
namespace {

template <typename T, typename Key>
T& find_or_add(std::vector<T>& items, const Key& matches, T fresh) {
  const auto it = std::find_if(items.begin(), items.end(), matches);
  if (it != items.end()) return *it;
  items.push_back(std::move(fresh));
  return items.back();
}

// An interrupted trial whose seq appears again later was run again on resume.
bool superseded(std::span<const store::TrialRecord> trials, std::size_t i) {
  if (trials[i].status != store::TrialStatus::interrupted) return false;
  for (std::size_t j = i + 1; j < trials.size(); ++j) {
    if (trials[j].run_id == trials[i].run_id && trials[j].seq == trials[i].seq) return true;
  }
  return false;
}

void add_unique(std::vector<std::string>& list, const std::string& value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

bool same_members(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return std::set<std::string>(a.begin(), a.end()) == std::set<std::string>(b.begin(), b.end());
}

// "cache-misses: not supported ..." for cache_misses: the reason without the metric's own
// name (perf names events with '-', metrics use '_').
std::string without_name(const std::string& reason, std::string name) {
  const auto colon = reason.find(": ");
  if (colon == std::string::npos) return reason;
  auto token = reason.substr(0, colon);
  std::replace(token.begin(), token.end(), '-', '_');
  std::replace(name.begin(), name.end(), '-', '_');
  return token == name ? reason.substr(colon + 2) : reason;
}

struct RootCause {
  std::string cause;
  bool derived = false;
};

// A derived metric's reason is "needs X: <X's reason>" (perhaps again derived), or "needs X"
// alone when X's own entry says why.
RootCause root_cause(const UnavailableEntry& e, std::span<const UnavailableEntry> entries) {
  constexpr std::string_view kNeeds = "needs ";
  RootCause root{without_name(e.reason, e.name), false};
  while (root.cause.rfind(kNeeds, 0) == 0) {
    const auto rest = root.cause.substr(kNeeds.size());
    const auto colon = rest.find(": ");
    const auto input = rest.substr(0, colon);
    if (colon != std::string::npos) {
      root = {without_name(rest.substr(colon + 2), input), true};
      continue;
    }
    const auto own = std::find_if(entries.begin(), entries.end(), [&](const UnavailableEntry& x) {
      return x.workload == e.workload && x.name == input && x.reason.rfind(kNeeds, 0) != 0;
    });
    if (own != entries.end()) root = {without_name(own->reason, input), true};
    break;
  }
  return root;
}

// A trial's reason can carry the scheduler's last output lines after its first line: the
// warning keeps the first (what happened), the trial list shows the rest.
std::string first_line(const std::string& reason) {
  const auto end = reason.find('\n');
  return end == std::string::npos ? reason : reason.substr(0, end) + " (its output: see the trials)";
}

std::string tally_warning(const TrialTally& t) {
  int left_out = 0;
  std::string detail;
  for (const auto& [status, count] : t.left_out) {
    left_out += count;
    const auto reason = first_line(t.last_reason.at(status));
    detail += fmt::format("{}{} {}{}", detail.empty() ? "" : "; ", count, status,
                          reason.empty() ? "" : " (" + reason + ")");
  }
  return fmt::format("{} / {}: {} of {} trials left out of the statistics: {}", t.workload, t.scheduler, left_out,
                     t.total, detail);
}

// One line per workload however many schedulers and metrics are noisy (the analysis has one
// per scheduler): how many metrics, the worst few, the noisy headline metrics, what to do.
std::string noisy_line(const stats::WorkloadAnalysis& w) {
  constexpr std::size_t kWorst = 2;
  struct Noisy {
    std::string metric, scheduler;
    double cv = 0;
    bool headline = false;
  };
  std::vector<Noisy> all;
  std::vector<std::string> schedulers;
  for (const auto& n : w.noisy) {
    schedulers.push_back(n.scheduler);
    for (const auto& m : n.metrics) all.push_back({m.metric, n.scheduler, m.cv, m.headline});
  }
  std::stable_sort(all.begin(), all.end(), [](const Noisy& a, const Noisy& b) { return a.cv > b.cv; });
  const bool several = schedulers.size() > 1;
  std::vector<std::string> named, worst, headline;  // each metric once, at its worst
  for (const auto& x : all) {
    if (std::find(named.begin(), named.end(), x.metric) != named.end()) continue;
    const auto text = fmt::format("{} {:.0f}%{}", x.metric, 100 * x.cv, several ? " on " + x.scheduler : "");
    if (worst.size() < kWorst) worst.push_back(text + (x.headline ? " (headline)" : ""));
    else if (x.headline) headline.push_back(text);
    else continue;
    named.push_back(x.metric);
  }
  std::set<std::string> metrics;
  for (const auto& x : all) metrics.insert(x.metric);
  const auto threshold = w.noisy.front().threshold;
  return fmt::format("{}: {} noisy metric{} (CV over {:.0f}%) on {}: worst {}{}: run more repetitions or quiet the "
                     "machine",
                     w.workload, metrics.size(), metrics.size() == 1 ? "" : "s", 100 * threshold,
                     fmt::join(schedulers, ", "), fmt::join(worst, ", "),
                     headline.empty() ? "" : fmt::format("; headline {}", fmt::join(headline, ", ")));
}

nlohmann::json summary_json(const stats::Summary& s) {
  return {{"n", s.n},       {"median", s.median}, {"ci_low", s.ci_low}, {"ci_high", s.ci_high}, {"mean", s.mean},
          {"sd", s.sd},     {"cv", s.cv},         {"min", s.min},       {"max", s.max}};
}

nlohmann::json comparison_json(const stats::Comparison& c) {
  return {{"ratio", c.ratio},
          {"ratio_ci_low", c.ratio_ci_low},
          {"ratio_ci_high", c.ratio_ci_high},
          {"p_value", c.p_value},
          {"p_adjusted", c.p_adjusted},
          {"call", stats::to_string(c.call)}};
}

nlohmann::json metric_json(const stats::MetricResult& m) {
  nlohmann::json j = {{"metric", m.metric},       {"unit", m.unit},
                      {"direction", to_string(m.direction)}, {"headline", m.headline},
                      {"summary", summary_json(m.summary)}};
  if (m.vs_baseline) j["vs_baseline"] = comparison_json(*m.vs_baseline);
  return j;
}

}  // namespace

bool counts_in_analysis(const store::TrialRecord& t) {
  return t.status == store::TrialStatus::ok && (t.kind == store::TrialKind::measure || t.kind == store::TrialKind::validate);
}

std::vector<stats::Observation> observations_from_trials(std::span<const store::TrialRecord> trials,
                                                         const HeadlineMap& headlines) {
  std::vector<stats::Observation> out;
  for (const auto& t : trials) {
    if (!counts_in_analysis(t)) continue;
    const auto headline = headlines.find(t.workload);
    for (const auto& m : t.metrics) {
      const bool is_headline = headline != headlines.end() && headline->second.count(m.name) > 0;
      out.push_back({t.workload, t.scheduler, m.name, m.unit, m.direction, is_headline, m.value, t.host});
    }
  }
  return out;
}

std::vector<TrialTally> tally_trials(std::span<const store::TrialRecord> trials) {
  std::vector<TrialTally> out;
  for (std::size_t i = 0; i < trials.size(); ++i) {
    const auto& t = trials[i];
    if (superseded(trials, i)) continue;
    auto& tally = find_or_add(
        out, [&](const TrialTally& x) { return x.workload == t.workload && x.scheduler == t.scheduler; },
        TrialTally{t.workload, t.scheduler, 0, 0, {}, {}});
    ++tally.total;
    if (counts_in_analysis(t)) ++tally.counted;
    if (t.status != store::TrialStatus::ok) {
      ++tally.left_out[std::string(to_string(t.status))];
      tally.last_reason[std::string(to_string(t.status))] = t.reason;
    }
  }
  return out;
}

std::vector<UnavailableEntry> unavailable_metrics(std::span<const store::TrialRecord> trials) {
  std::vector<UnavailableEntry> out;
  for (const auto& t : trials) {
    for (const auto& u : t.unavailable) {
      auto& entry = find_or_add(
          out,
          [&](const UnavailableEntry& e) { return e.workload == t.workload && e.name == u.name && e.reason == u.reason; },
          UnavailableEntry{t.workload, u.name, u.reason, {}, 0});
      // A tune's evaluations are configurations of one search, not schedulers to name.
      add_unique(entry.schedulers, t.kind == store::TrialKind::tune ? std::string(kTuningEvaluations) : t.scheduler);
      ++entry.trials;
    }
  }
  return out;
}

bool is_baseline(const ReportInput& input, const std::string& label) {
  return label == input.analysis.baseline || input.baselines.count(label) > 0;
}

std::vector<UnavailableCause> unavailable_causes(std::span<const UnavailableEntry> entries) {
  struct Missing {
    std::string name, cause;
    bool derived = false;
    std::vector<std::string> schedulers, workloads;
  };
  std::vector<Missing> missing;  // one metric for one cause, over the workloads
  for (const auto& e : entries) {
    const auto root = root_cause(e, entries);
    auto& m = find_or_add(
        missing,
        [&](const Missing& x) {
          return x.name == e.name && x.cause == root.cause && same_members(x.schedulers, e.schedulers);
        },
        Missing{e.name, root.cause, root.derived, e.schedulers, {}});
    add_unique(m.workloads, e.workload);
  }
  std::vector<UnavailableCause> out;
  for (const auto& m : missing) {
    auto& c = find_or_add(
        out,
        [&](const UnavailableCause& x) {
          return x.cause == m.cause && same_members(x.schedulers, m.schedulers) && same_members(x.workloads, m.workloads);
        },
        UnavailableCause{m.cause, {}, {}, m.workloads, m.schedulers});
    (m.derived ? c.derived : c.metrics).push_back(m.name);
  }
  return out;
}

std::string metrics_text(const UnavailableCause& c) {
  const auto direct = fmt::format("{}", fmt::join(c.metrics, ", "));
  if (c.derived.empty()) return direct;
  const auto derived = fmt::format("{} derived ({})", c.derived.size(), fmt::join(c.derived, ", "));
  return direct.empty() ? derived : direct + " and " + derived;
}

std::vector<std::string> warnings(const ReportInput& input) {
  std::vector<std::string> out;
  if (input.run.host.is_object() && input.run.host.value("virtualized", false)) {
    out.push_back("measured inside a virtual machine: differences may not hold on bare metal, and absolute "
                  "numbers do not describe any real machine");
  }
  // A tune's search evaluations are never counted (only its validation is): no warning for them.
  const auto searched_only = [&](const TrialTally& tally) {
    return std::all_of(input.trials.begin(), input.trials.end(), [&](const store::TrialRecord& t) {
      return t.workload != tally.workload || t.scheduler != tally.scheduler || t.kind == store::TrialKind::tune;
    });
  };
  for (const auto& t : tally_trials(input.trials)) {
    if (searched_only(t)) continue;
    if (t.counted == 0) {
      out.push_back(fmt::format("{} / {}: no trial counted in the statistics ({} trial{})", t.workload, t.scheduler,
                                t.total, t.total == 1 ? "" : "s"));
    }
    if (!t.left_out.empty()) out.push_back(tally_warning(t));
  }
  // The analysis's per-scheduler noisy lines give way to one line per workload, last.
  std::set<std::string> per_scheduler;
  for (const auto& w : input.analysis.workloads) {
    for (const auto& n : w.noisy) per_scheduler.insert(n.warning);
  }
  for (const auto& w : input.analysis.warnings) {
    if (!per_scheduler.count(w)) add_unique(out, w);
  }
  for (const auto& w : input.analysis.workloads) {
    if (!w.noisy.empty()) out.push_back(noisy_line(w));
  }
  return out;
}

std::vector<std::string> column_metrics(const stats::WorkloadAnalysis& w) {
  std::vector<std::string> headline, directional;
  for (const auto& s : w.schedulers) {
    for (const auto& m : s.metrics) {
      if (m.headline) add_unique(headline, m.metric);
      if (m.direction != Direction::informational) add_unique(directional, m.metric);
    }
  }
  return headline.empty() ? directional : headline;
}

const stats::MetricResult* find_metric(const stats::SchedulerResult& s, const std::string& metric) {
  for (const auto& m : s.metrics) {
    if (m.metric == metric) return &m;
  }
  return nullptr;
}

std::vector<const stats::SchedulerResult*> by_rank(const stats::WorkloadAnalysis& w) {
  std::vector<const stats::SchedulerResult*> out;
  for (const auto& s : w.schedulers) out.push_back(&s);
  // Rank 0 means not ranked (no baseline to compare with): last.
  const auto key = [](const stats::SchedulerResult* s) { return s->rank > 0 ? s->rank : INT_MAX; };
  std::stable_sort(out.begin(), out.end(), [&](auto* a, auto* b) { return key(a) < key(b); });
  return out;
}

CallCounts headline_calls(const stats::RunAnalysis& analysis, const std::string& scheduler) {
  CallCounts c;
  for (const auto& w : analysis.workloads) {
    for (const auto& s : w.schedulers) {
      if (s.scheduler != scheduler) continue;
      for (const auto& m : s.metrics) {
        if (!m.headline || !m.vs_baseline) continue;
        switch (m.vs_baseline->call) {
          case stats::Call::better: ++c.better; break;
          case stats::Call::worse: ++c.worse; break;
          case stats::Call::no_difference: ++c.no_difference; break;
          case stats::Call::inconclusive: ++c.inconclusive; break;
        }
      }
    }
  }
  return c;
}

nlohmann::json analysis_to_json(const stats::RunAnalysis& analysis) {
  auto workloads = nlohmann::json::array();
  for (const auto& w : analysis.workloads) {
    auto schedulers = nlohmann::json::array();
    for (const auto& s : w.schedulers) {
      auto metrics = nlohmann::json::array();
      for (const auto& m : s.metrics) metrics.push_back(metric_json(m));
      schedulers.push_back({{"scheduler", s.scheduler}, {"rank", s.rank}, {"score", s.score}, {"metrics", metrics}});
    }
    workloads.push_back({{"workload", w.workload}, {"schedulers", schedulers}, {"warnings", w.warnings}});
  }
  auto ranking = nlohmann::json::array();
  for (const auto& [scheduler, score] : analysis.overall_ranking) {
    ranking.push_back({{"scheduler", scheduler}, {"score", score}});
  }
  return {{"baseline", analysis.baseline},
          {"workloads", workloads},
          {"overall_ranking", ranking},
          {"warnings", analysis.warnings}};
}

}  // namespace scxlab::reports
