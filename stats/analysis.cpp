#include "stats/analysis.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "stats/inference.hpp"

namespace scxlab::stats {
namespace {

// Observations of one workload, grouped in first-seen order.
struct MetricSamples {
  std::string metric, unit;
  Direction direction = Direction::informational;
  bool headline = false;
  std::vector<double> values;
};

struct SchedulerSamples {
  std::string scheduler;
  std::vector<MetricSamples> metrics;

  MetricSamples& metric(const Observation& o) {
    for (auto& m : metrics) {
      if (m.metric == o.metric) return m;
    }
    metrics.push_back({o.metric, o.unit, o.direction, o.headline, {}});
    return metrics.back();
  }
  const MetricSamples* find(const std::string& name) const {
    for (const auto& m : metrics) {
      if (m.metric == name) return &m;
    }
    return nullptr;
  }
};

struct WorkloadSamples {
  std::string workload;
  std::vector<SchedulerSamples> schedulers;

  SchedulerSamples& scheduler(const std::string& name) {
    for (auto& s : schedulers) {
      if (s.scheduler == name) return s;
    }
    schedulers.push_back({name, {}});
    return schedulers.back();
  }
};

std::vector<WorkloadSamples> group(std::span<const Observation> observations) {
  std::vector<WorkloadSamples> workloads;
  for (const auto& o : observations) {
    auto it = std::find_if(workloads.begin(), workloads.end(),
                           [&](const WorkloadSamples& w) { return w.workload == o.workload; });
    if (it == workloads.end()) {
      workloads.push_back({o.workload, {}});
      it = workloads.end() - 1;
    }
    it->scheduler(o.scheduler).metric(o).values.push_back(o.value);
  }
  return workloads;
}

// > 1 when the candidate is better, whatever the metric's direction.
double goodness(double ratio, Direction d) {
  if (ratio <= 0) return 1;
  return d == Direction::lower_is_better ? 1 / ratio : ratio;
}

// "No difference" needs an interval that excludes effects this many times the minimum effect.
constexpr double kNarrow = 5;

Call decide(const Comparison& c, Direction d, double min_p_adjusted, const AnalysisOptions& o) {
  const bool significant = c.p_adjusted < o.alpha;
  // Called only when the whole interval lies beyond the minimum effect: a significant test
  // alone would call about alpha of all A/A comparisons, most of them by more than 2%.
  const bool beyond = c.ratio_ci_low > 1 + o.min_effect || c.ratio_ci_high < 1 - o.min_effect;
  if (significant && beyond) return goodness(c.ratio, d) > 1 ? Call::better : Call::worse;
  if (significant) return Call::no_difference;  // not shown to exceed the effect that matters
  // Not significant: "no difference" only when the data could have shown one, i.e. the test
  // can reach significance at these sample sizes and the interval excludes effects of
  // kNarrow times the minimum; otherwise the honest answer is "run more".
  const bool could_reach = min_p_adjusted < o.alpha;
  const bool narrow = c.ratio_ci_low >= 1 - kNarrow * o.min_effect && c.ratio_ci_high <= 1 + kNarrow * o.min_effect;
  return could_reach && narrow ? Call::no_difference : Call::inconclusive;
}

// Compares every directional metric of `candidate` with `baseline`; Holm over the family.
void compare_family(const SchedulerSamples& baseline, const SchedulerSamples& candidate,
                    std::vector<MetricResult>& results, const AnalysisOptions& o, Rng& rng) {
  std::vector<std::size_t> family;
  std::vector<double> p;
  std::vector<Comparison> comparisons(results.size());
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& m = candidate.metrics[i];
    const auto* base = baseline.find(m.metric);
    if (m.direction == Direction::informational || !base || base->values.empty() || m.values.empty()) continue;
    auto& c = comparisons[i];
    const double base_median = median(base->values);
    c.ratio = base_median != 0 ? median(m.values) / base_median : 1;
    const auto ci = bootstrap_ratio_interval(base->values, m.values, o.resamples, o.level, rng);
    c.ratio_ci_low = ci.low;
    c.ratio_ci_high = ci.high;
    c.p_value = mann_whitney_p(base->values, m.values);
    family.push_back(i);
    p.push_back(c.p_value);
  }
  const auto adjusted = holm_adjust(p);
  for (std::size_t k = 0; k < family.size(); ++k) {
    const auto i = family[k];
    auto& c = comparisons[i];
    c.p_adjusted = adjusted[k];
    const auto* base = baseline.find(candidate.metrics[i].metric);
    const double min_p = std::min(1.0, mann_whitney_min_p(base->values.size(), candidate.metrics[i].values.size()) *
                                           static_cast<double>(family.size()));
    c.call = decide(c, candidate.metrics[i].direction, min_p, o);
    results[i].vs_baseline = c;
  }
}

SchedulerResult summarise_scheduler(const SchedulerSamples& s, const AnalysisOptions& o) {
  SchedulerResult r{s.scheduler, {}, 0, 1};
  for (const auto& m : s.metrics) r.metrics.push_back({m.metric, m.unit, m.direction, m.headline, summarize(m.values, o), {}});
  return r;
}

// Geometric mean of direction-adjusted headline ratios against the baseline.
double headline_score(const SchedulerResult& r) {
  double log_sum = 0;
  int n = 0;
  for (const auto& m : r.metrics) {
    if (!m.headline || !m.vs_baseline || m.direction == Direction::informational) continue;
    log_sum += std::log(goodness(m.vs_baseline->ratio, m.direction));
    ++n;
  }
  return n ? std::exp(log_sum / n) : 1;
}

void rank(std::vector<SchedulerResult>& schedulers) {
  std::vector<const SchedulerResult*> order;
  for (const auto& s : schedulers) order.push_back(&s);
  std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->score > b->score; });
  for (auto& s : schedulers) {
    s.rank = static_cast<int>(std::find(order.begin(), order.end(), &s) - order.begin()) + 1;
  }
}

void noise_warnings(const WorkloadAnalysis& w, double threshold, std::vector<std::string>& out) {
  for (const auto& s : w.schedulers) {
    for (const auto& m : s.metrics) {
      if (m.direction != Direction::informational && m.summary.n >= 2 && m.summary.cv > threshold) {
        out.push_back(fmt::format("{} / {}: {} varies a lot between repetitions (CV {:.1f}%)", w.workload,
                                  s.scheduler, m.metric, 100 * m.summary.cv));
      }
    }
  }
}

WorkloadAnalysis analyse_workload(const WorkloadSamples& w, const std::string& baseline_name,
                                  const AnalysisOptions& o, Rng& rng) {
  WorkloadAnalysis out{w.workload, {}, {}};
  const SchedulerSamples* baseline = nullptr;
  for (const auto& s : w.schedulers) {
    if (s.scheduler == baseline_name) baseline = &s;
  }
  for (const auto& s : w.schedulers) {
    auto r = summarise_scheduler(s, o);
    if (baseline && &s != baseline) {
      compare_family(*baseline, s, r.metrics, o, rng);
      r.score = headline_score(r);
    }
    out.schedulers.push_back(std::move(r));
  }
  if (!baseline) out.warnings.push_back(fmt::format("{}: the baseline {} has no successful repetition; nothing was compared",
                                                    w.workload, baseline_name));
  rank(out.schedulers);
  noise_warnings(out, o.cv_warning, out.warnings);
  return out;
}

std::vector<std::pair<std::string, double>> overall(const std::vector<WorkloadAnalysis>& workloads) {
  std::vector<std::pair<std::string, double>> totals;  // scheduler, sum of log scores
  std::map<std::string, int> counts;
  for (const auto& w : workloads) {
    for (const auto& s : w.schedulers) {
      auto it = std::find_if(totals.begin(), totals.end(), [&](const auto& t) { return t.first == s.scheduler; });
      if (it == totals.end()) {
        totals.emplace_back(s.scheduler, 0.0);
        it = totals.end() - 1;
      }
      it->second += std::log(s.score);
      ++counts[s.scheduler];
    }
  }
  for (auto& [name, log_sum] : totals) log_sum = std::exp(log_sum / counts[name]);
  std::stable_sort(totals.begin(), totals.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return totals;
}

}  // namespace

std::string_view to_string(Call c) {
  switch (c) {
    case Call::better: return "better";
    case Call::worse: return "worse";
    case Call::no_difference: return "no significant difference";
    case Call::inconclusive: return "inconclusive: more repetitions needed";
  }
  return "";
}

Summary summarize(std::span<const double> values, const AnalysisOptions& options) {
  Summary s;
  s.n = values.size();
  if (values.empty()) return s;
  s.median = median(values);
  s.mean = mean(values);
  s.sd = sample_sd(values);
  s.cv = s.mean != 0 ? s.sd / std::abs(s.mean) : 0;
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  s.min = *lo;
  s.max = *hi;
  Rng rng(options.seed ^ static_cast<std::uint64_t>(values.size()));
  const auto ci = bootstrap_median_interval(values, options.resamples, options.level, rng);
  s.ci_low = ci.low;
  s.ci_high = ci.high;
  return s;
}

bool precise_enough(const Summary& s, double target_relative_halfwidth) {
  if (s.n < 2) return false;
  if (s.median == 0) return s.ci_high == s.ci_low;
  return (s.ci_high - s.ci_low) / 2 <= target_relative_halfwidth * std::abs(s.median);
}

RunAnalysis analyse(std::span<const Observation> observations, const AnalysisOptions& options) {
  const auto grouped = group(observations);
  RunAnalysis run;
  run.baseline = options.baseline;
  if (run.baseline.empty() && !observations.empty()) run.baseline = observations.front().scheduler;
  Rng rng(options.seed);
  for (const auto& w : grouped) {
    run.workloads.push_back(analyse_workload(w, run.baseline, options, rng));
    for (const auto& warning : run.workloads.back().warnings) run.warnings.push_back(warning);
  }
  run.overall_ranking = overall(run.workloads);
  return run;
}

}  // namespace scxlab::stats
