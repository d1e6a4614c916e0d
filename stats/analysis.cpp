#include "stats/analysis.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "stats/inference.hpp"

namespace scxlab::stats {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Observations of one workload, grouped in first-seen order.
struct MetricSamples {
  std::string metric, unit;
  Direction direction = Direction::informational;
  bool headline = false;
  std::vector<double> values;
  std::vector<std::string> strata;  // where each value was measured
  std::size_t non_finite = 0;  // dropped values (NaN, inf)
};

struct SchedulerSamples {
  std::string scheduler;
  std::vector<MetricSamples> metrics;

  MetricSamples& metric(const Observation& o) {
    for (auto& m : metrics) {
      if (m.metric == o.metric) return m;
    }
    metrics.push_back({o.metric, o.unit, o.direction, o.headline, {}, {}, 0});
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
  const SchedulerSamples* find(const std::string& name) const {
    for (const auto& s : schedulers) {
      if (s.scheduler == name) return &s;
    }
    return nullptr;
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
    auto& m = it->scheduler(o.scheduler).metric(o);
    if (std::isfinite(o.value)) {
      m.values.push_back(o.value);
      m.strata.push_back(o.stratum);
    } else {
      ++m.non_finite;
    }
  }
  return workloads;
}

void validate(const AnalysisOptions& o) {
  const auto bad = [](const char* what, double value, const char* fix) {
    throw std::invalid_argument(fmt::format("analysis option {} = {}: {}", what, value, fix));
  };
  if (!(o.alpha > 0 && o.alpha < 1)) bad("alpha", o.alpha, "must be in (0, 1), e.g. 0.05");
  if (!(o.level > 0 && o.level < 1)) bad("level", o.level, "must be in (0, 1), e.g. 0.95");
  if (!(o.min_effect >= 0)) bad("min_effect", o.min_effect, "must be >= 0, e.g. 0.02 for 2%");
  if (o.resamples < 100) bad("resamples", o.resamples, "use at least 100 (2000 is the default)");
}

// A seed of its own for every group, from its names (FNV-1a, stable across platforms): a
// group's intervals do not change when another scheduler or workload is added to the run.
std::uint64_t group_seed(std::uint64_t seed, std::initializer_list<std::string_view> names) {
  std::uint64_t h = 14695981039346656037ULL;
  for (auto name : names) {
    for (unsigned char c : name) h = (h ^ c) * 1099511628211ULL;
    h = (h ^ 0xffU) * 1099511628211ULL;  // separator: ("ab", "c") differs from ("a", "bc")
  }
  return seed ^ h;
}

Summary summarize_seeded(std::span<const double> values, const AnalysisOptions& options, std::uint64_t seed) {
  std::vector<double> finite;
  std::copy_if(values.begin(), values.end(), std::back_inserter(finite), [](double v) { return std::isfinite(v); });
  Summary s;
  s.n = finite.size();
  if (finite.empty()) return s;
  s.median = median(finite);
  s.mean = mean(finite);
  s.sd = sample_sd(finite);
  s.cv = s.mean != 0 ? s.sd / std::abs(s.mean) : 0;
  const auto [lo, hi] = std::minmax_element(finite.begin(), finite.end());
  s.min = *lo;
  s.max = *hi;
  Rng rng(seed);
  const auto ci = bootstrap_median_interval(finite, options.resamples, options.level, rng);
  s.ci_low = ci.low;
  s.ci_high = ci.high;
  return s;
}

// > 1 when the candidate is better, whatever the metric's direction.
double goodness(double ratio, Direction d) { return d == Direction::lower_is_better ? 1 / ratio : ratio; }

std::string percent(double ratio) { return fmt::format("{:+.1f}%", 100 * (ratio - 1)); }

// What the call rule needs to know besides the comparison itself.
struct CallContext {
  Direction direction;
  std::size_t n_baseline, n_candidate, family_size;
};

Call better_or_worse(bool candidate_higher, Direction d) {
  return candidate_higher == (d == Direction::higher_is_better) ? Call::better : Call::worse;
}

// Rule a of the header: even complete separation could not reach significance. Empty when
// the test can reach it.
std::string too_few_repetitions(const CallContext& k, const AnalysisOptions& o) {
  const double best_p = mann_whitney_min_p(k.n_baseline, k.n_candidate) * static_cast<double>(k.family_size);
  if (best_p < o.alpha) return "";
  return fmt::format(
      "{} against {} repetitions cannot reach p < {} over {} metric(s) (the best possible is {:.3g}): run at least "
      "{} of each",
      k.n_candidate, k.n_baseline, o.alpha, k.family_size, best_p,
      min_repetitions_for_significance(o.alpha, k.family_size));
}

// The call for a comparison with a ratio interval (the rules of stats/analysis.hpp).
void decide_by_ratio(Comparison& c, const CallContext& k, const AnalysisOptions& o) {
  const bool significant = c.p_adjusted < o.alpha;
  const double m = o.min_effect, large = kLargeEffectFactor * o.min_effect;
  const bool beyond = c.ratio_ci_low > 1 + m || c.ratio_ci_high < 1 - m;
  const auto interval = fmt::format("{} to {}", percent(c.ratio_ci_low), percent(c.ratio_ci_high));
  if (significant && beyond) {
    c.call = better_or_worse(c.ratio_ci_low > 1 + m, k.direction);
    c.reason = fmt::format("p = {:.3g} after Holm over {} metric(s) and the interval {} lies beyond +-{:g}%",
                           c.p_adjusted, k.family_size, interval, 100 * m);
  } else if (auto few = too_few_repetitions(k, o); !few.empty()) {
    c.call = Call::inconclusive;
    c.reason = std::move(few);
  } else if (c.ratio_ci_low < 1 - large || c.ratio_ci_high > 1 + large) {
    c.call = Call::inconclusive;
    c.reason = fmt::format("the interval {} still allows a difference of {:g}% or more: run more repetitions",
                           interval, 100 * large);
  } else if (beyond) {
    c.call = Call::inconclusive;
    c.reason = fmt::format("the interval {} lies beyond +-{:g}% but p = {:.3g} after Holm over {} metric(s) is not "
                           "below {}: run more repetitions",
                           interval, 100 * m, c.p_adjusted, k.family_size, o.alpha);
  } else if (c.p_adjusted < o.alpha / kStrongEvidenceDivisor && std::abs(c.ratio - 1) > m) {
    c.call = Call::inconclusive;
    c.reason = fmt::format("a difference is very likely (p = {:.3g} after Holm) and estimated at {}, but the interval "
                           "{} does not yet exclude +-{:g}%: run more repetitions",
                           c.p_adjusted, percent(c.ratio), interval, 100 * m);
  } else {
    c.call = Call::no_difference;
    c.reason = fmt::format("no difference beyond +-{:g}% was shown (p = {:.3g} after Holm, interval {}) and one of "
                           "{:g}% or more is ruled out",
                           100 * m, c.p_adjusted, interval, 100 * large);
  }
}

// Without a ratio the test and the interval of the difference of medians speak.
void decide_by_difference(Comparison& c, const CallContext& k, const AnalysisOptions& o) {
  const auto evidence = fmt::format("p = {:.3g} after Holm over {} metric(s), difference of medians {:+.4g} "
                                    "[{:+.4g}, {:+.4g}]; no ratio: {}",
                                    c.p_adjusted, k.family_size, c.difference, c.difference_ci_low,
                                    c.difference_ci_high, c.no_ratio);
  const bool excludes_zero = c.difference_ci_low > 0 || c.difference_ci_high < 0;
  if (c.p_adjusted < o.alpha && excludes_zero) {
    c.call = better_or_worse(c.difference > 0, k.direction);
    c.reason = evidence;
  } else if (auto few = too_few_repetitions(k, o); !few.empty()) {
    c.call = Call::inconclusive;
    c.reason = std::move(few);
  } else if (c.p_adjusted < o.alpha) {
    c.call = Call::inconclusive;
    c.reason = evidence + "; the interval still reaches 0: run more repetitions";
  } else {
    c.call = Call::no_difference;
    c.reason = evidence;
  }
}

// Why a ratio of these samples' medians would mislead ("" when it would not).
std::string why_no_ratio(const MetricSamples& base, const MetricSamples& cand) {
  const double b = median(base.values);
  const auto negative = [](const std::vector<double>& v) {
    return std::any_of(v.begin(), v.end(), [](double x) { return x < 0; });
  };
  if (b == 0) return "the baseline's median is 0";
  if (b < 0 || negative(base.values) || negative(cand.values)) return "the values are negative or of mixed sign";
  if (base.unit == "count" && b < kSmallCount) {
    return fmt::format("a ratio of small counts exaggerates (the baseline's median is {:g})", b);
  }
  return "";
}

// The two samples split by host: the blocks where both sides were measured, when there are two
// or more of those (else none: the samples are compared whole).
std::vector<Block> host_blocks(const MetricSamples& base, const MetricSamples& cand) {
  std::vector<std::pair<std::string, Block>> by_host;  // first-seen order
  const auto add = [&](const MetricSamples& m, bool candidate) {
    for (std::size_t i = 0; i < m.values.size(); ++i) {
      auto it = std::find_if(by_host.begin(), by_host.end(), [&](const auto& h) { return h.first == m.strata[i]; });
      if (it == by_host.end()) it = by_host.insert(by_host.end(), {m.strata[i], {}});
      (candidate ? it->second.candidate : it->second.baseline).push_back(m.values[i]);
    }
  };
  add(base, false);
  add(cand, true);
  std::vector<Block> blocks;
  for (auto& [host, block] : by_host) {
    if (!block.baseline.empty() && !block.candidate.empty()) blocks.push_back(std::move(block));
  }
  if (blocks.size() < 2) blocks.clear();
  return blocks;
}

// measure() for samples from two or more hosts that each measured both sides.
Comparison measure_blocked(const std::vector<Block>& blocks, const std::string& no_ratio, const AnalysisOptions& o,
                           Rng& rng) {
  Comparison c;
  c.hosts = blocks.size();
  c.p_value = van_elteren_p(blocks);
  c.no_ratio = no_ratio;
  const auto ratio = blocked_ratio(blocks);
  if (c.no_ratio.empty() && !ratio) c.no_ratio = "a host's baseline median is 0";
  if (c.no_ratio.empty()) {
    c.ratio = *ratio;
    const auto ci = bootstrap_blocked_ratio_interval(blocks, o.resamples, o.level, rng);
    c.ratio_ci_low = ci.low;
    c.ratio_ci_high = ci.high;
  } else {
    c.ratio = c.ratio_ci_low = c.ratio_ci_high = kNaN;
  }
  c.difference = *blocked_difference(blocks);
  const auto ci = bootstrap_blocked_difference_interval(blocks, o.resamples, o.level, rng);
  c.difference_ci_low = ci.low;
  c.difference_ci_high = ci.high;
  return c;
}

// Ratio and difference with their intervals and the raw p-value; the call comes after Holm
// over the family.
Comparison measure(const MetricSamples& base, const MetricSamples& cand, const AnalysisOptions& o, Rng& rng) {
  if (const auto blocks = host_blocks(base, cand); !blocks.empty()) {
    return measure_blocked(blocks, why_no_ratio(base, cand), o, rng);
  }
  Comparison c;
  c.p_value = mann_whitney_p(base.values, cand.values);
  c.no_ratio = why_no_ratio(base, cand);
  if (c.no_ratio.empty()) {
    c.ratio = median(cand.values) / median(base.values);
    const auto ci = bootstrap_ratio_interval(base.values, cand.values, o.resamples, o.level, rng);
    c.ratio_ci_low = ci.low;
    c.ratio_ci_high = ci.high;
  } else {
    c.ratio = c.ratio_ci_low = c.ratio_ci_high = kNaN;
  }
  c.difference = median(cand.values) - median(base.values);
  const auto ci = bootstrap_difference_interval(base.values, cand.values, o.resamples, o.level, rng);
  c.difference_ci_low = ci.low;
  c.difference_ci_high = ci.high;
  return c;
}

bool comparable(const MetricSamples& candidate, const MetricSamples* base) {
  return candidate.direction != Direction::informational && base && !base->values.empty() &&
         !candidate.values.empty();
}

// Measures every directional metric of `candidate` against `baseline`: ratio, interval and
// the raw p-value. The calls come after Holm over the families (decide_calls).
void measure_candidate(const std::string& workload, const SchedulerSamples& baseline, const SchedulerSamples& candidate,
                       std::vector<MetricResult>& results, const AnalysisOptions& o, std::vector<std::string>& warnings) {
  for (std::size_t i = 0; i < candidate.metrics.size(); ++i) {
    const auto& m = candidate.metrics[i];
    const auto* base = baseline.find(m.metric);
    if (!comparable(m, base)) {
      if (m.direction != Direction::informational && !m.values.empty()) {
        warnings.push_back(fmt::format("{} / {}: {} not compared: the baseline {} has no values for it", workload,
                                       candidate.scheduler, m.metric, baseline.scheduler));
      }
      continue;
    }
    Rng rng(group_seed(o.seed, {"ratio", workload, candidate.scheduler, m.metric}));
    results[i].vs_baseline = measure(*base, m, o, rng);
  }
}

// A compared metric and the baseline's result for it, in one Holm family.
struct FamilyMember {
  MetricResult* metric;
  const MetricResult* baseline;
};

const MetricResult* find_result(const SchedulerResult& s, const std::string& metric) {
  for (const auto& m : s.metrics) {
    if (m.metric == metric) return &m;
  }
  return nullptr;
}

// Holm over each family, then the call of every comparison. A family is one candidate's
// headline metrics, or its other directional metrics, of one workload; with
// holm_across_workloads, of every workload together. Two families per candidate because one
// of thirty would make the headline answer need far more repetitions than the question
// alone does.
void decide_calls(std::vector<WorkloadAnalysis>& workloads, const std::string& baseline, const AnalysisOptions& o) {
  std::vector<std::pair<std::string, std::vector<FamilyMember>>> families;  // key, members in first-seen order
  for (auto& w : workloads) {
    const auto base = std::find_if(w.schedulers.begin(), w.schedulers.end(),
                                   [&](const SchedulerResult& s) { return s.scheduler == baseline; });
    if (base == w.schedulers.end()) continue;
    for (auto& s : w.schedulers) {
      for (auto& m : s.metrics) {
        if (!m.vs_baseline) continue;
        const auto key = fmt::format("{}\n{}\n{}", s.scheduler, m.headline, o.holm_across_workloads ? "" : w.workload);
        auto it = std::find_if(families.begin(), families.end(), [&](const auto& f) { return f.first == key; });
        if (it == families.end()) it = families.insert(families.end(), {key, {}});
        it->second.push_back({&m, find_result(*base, m.metric)});
      }
    }
  }
  for (auto& [key, members] : families) {
    std::vector<double> p;
    for (const auto& member : members) p.push_back(member.metric->vs_baseline->p_value);
    const auto adjusted = holm_adjust(p);
    for (std::size_t f = 0; f < members.size(); ++f) {
      auto& m = *members[f].metric;
      const auto& base = *members[f].baseline;
      auto& c = *m.vs_baseline;
      c.p_adjusted = adjusted[f];
      const CallContext context{m.direction, base.summary.n, m.summary.n, members.size()};
      if (!c.no_ratio.empty()) {
        decide_by_difference(c, context, o);
      } else {
        decide_by_ratio(c, context, o);
      }
      if (c.hosts > 0) c.reason += fmt::format("; blocked by host ({} hosts)", c.hosts);
    }
  }
}

SchedulerResult summarise_scheduler(const std::string& workload, const SchedulerSamples& s, const AnalysisOptions& o) {
  SchedulerResult r{s.scheduler, {}, 0, 1};
  for (const auto& m : s.metrics) {
    const auto seed = group_seed(o.seed, {"median", workload, s.scheduler, m.metric});
    r.metrics.push_back({m.metric, m.unit, m.direction, m.headline, summarize_seeded(m.values, o, seed), {}});
  }
  return r;
}

// Geometric mean of direction-adjusted headline ratios against the baseline; empty when no
// headline metric has a usable ratio (then the scheduler is not ranked on this workload).
std::optional<double> headline_score(const SchedulerResult& r) {
  double log_sum = 0;
  int n = 0;
  for (const auto& m : r.metrics) {
    if (!m.headline || !m.vs_baseline) continue;
    const double g = goodness(m.vs_baseline->ratio, m.direction);
    if (!std::isfinite(g) || g <= 0) continue;  // NaN ratio, or a median of 0 on one side
    log_sum += std::log(g);
    ++n;
  }
  if (n == 0) return std::nullopt;
  return std::exp(log_sum / n);
}

bool has_headline(const SchedulerSamples& s) {
  return std::any_of(s.metrics.begin(), s.metrics.end(), [](const MetricSamples& m) {
    return m.headline && m.direction != Direction::informational && !m.values.empty();
  });
}

// Scores the candidates (the baseline keeps 1) and ranks the scored ones, best first; ties
// keep first-seen order.
void rank(std::vector<SchedulerResult>& schedulers, const std::string& baseline) {
  std::vector<SchedulerResult*> ranked;
  for (auto& s : schedulers) {
    if (s.scheduler != baseline) {
      const auto score = headline_score(s);
      if (!score) continue;
      s.score = *score;
    }
    ranked.push_back(&s);
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](auto* a, auto* b) { return a->score > b->score; });
  for (std::size_t i = 0; i < ranked.size(); ++i) ranked[i]->rank = static_cast<int>(i) + 1;
}

// One line per scheduler and workload, however many metrics are noisy: a probe's dozen
// percentiles should not bury the other warnings (NoisyMetrics keeps the full list).
std::string noisy_warning(const std::string& workload, const NoisyMetrics& noisy) {
  constexpr const char* kHint = "run more repetitions or quiet the machine";
  const auto cv = [](double v) { return fmt::format("{:.0f}%", 100 * v); };
  const auto threshold = cv(noisy.threshold);
  const auto& worst = noisy.metrics.front();
  if (noisy.metrics.size() == 1) {
    return fmt::format("{} / {}: {}{} varies a lot between repetitions (CV {}, over {}): {}", workload,
                       noisy.scheduler, worst.headline ? "headline " : "", worst.metric, cv(worst.cv), threshold,
                       kHint);
  }
  std::vector<std::string> headline;
  for (const auto& m : noisy.metrics) {
    if (m.headline) headline.push_back(m.metric + " " + cv(m.cv));
  }
  return fmt::format("{} / {}: {} metrics vary a lot between repetitions (CV over {}), worst {} {}{}: {}", workload,
                     noisy.scheduler, noisy.metrics.size(), threshold, worst.metric, cv(worst.cv),
                     headline.empty() ? "" : fmt::format("; headline {}", fmt::join(headline, ", ")), kHint);
}

// Dropped values and noisy directional metrics (the CV from the summary of the same group).
void data_warnings(const WorkloadSamples& w, WorkloadAnalysis& analysed, const AnalysisOptions& o) {
  for (std::size_t i = 0; i < w.schedulers.size(); ++i) {
    const auto& s = w.schedulers[i];
    NoisyMetrics noisy{s.scheduler, o.cv_warning, {}, {}};
    for (std::size_t j = 0; j < s.metrics.size(); ++j) {
      const auto& m = s.metrics[j];
      const auto& summary = analysed.schedulers[i].metrics[j].summary;
      if (m.non_finite) {
        analysed.warnings.push_back(fmt::format("{} / {}: {}: ignored {} non-finite value(s) (NaN or infinite)",
                                                w.workload, s.scheduler, m.metric, m.non_finite));
      }
      if (m.direction != Direction::informational && summary.n >= 2 && summary.cv > o.cv_warning) {
        noisy.metrics.push_back({m.metric, summary.cv, m.headline});
      }
    }
    if (noisy.metrics.empty()) continue;
    std::stable_sort(noisy.metrics.begin(), noisy.metrics.end(), [](const auto& a, const auto& b) { return a.cv > b.cv; });
    noisy.warning = noisy_warning(w.workload, noisy);
    analysed.warnings.push_back(noisy.warning);
    analysed.noisy.push_back(std::move(noisy));
  }
}

WorkloadAnalysis analyse_workload(const WorkloadSamples& w, const std::string& baseline_name,
                                  const AnalysisOptions& o) {
  WorkloadAnalysis out{w.workload, {}, {}, {}};
  const auto* baseline = w.find(baseline_name);
  for (const auto& s : w.schedulers) {
    auto r = summarise_scheduler(w.workload, s, o);
    if (baseline && &s != baseline) measure_candidate(w.workload, *baseline, s, r.metrics, o, out.warnings);
    out.schedulers.push_back(std::move(r));
  }
  if (!baseline) {
    out.warnings.push_back(fmt::format("{}: the baseline {} has no values here; nothing was compared or ranked",
                                       w.workload, baseline_name));
  } else if (!has_headline(*baseline)) {
    out.warnings.push_back(fmt::format("{}: the baseline {} has no headline metric; schedulers are not ranked here",
                                       w.workload, baseline_name));
  } else {
    rank(out.schedulers, baseline_name);
  }
  data_warnings(w, out, o);
  return out;
}

// Geometric mean of each scheduler's scores over the workloads that ranked it.
std::vector<std::pair<std::string, double>> overall(const std::vector<WorkloadAnalysis>& workloads,
                                                    std::vector<std::string>& warnings) {
  struct Tally {
    std::string scheduler;
    double log_sum = 0;
    std::size_t scored = 0, seen = 0;
  };
  std::vector<Tally> tallies;
  for (const auto& w : workloads) {
    for (const auto& s : w.schedulers) {
      auto it = std::find_if(tallies.begin(), tallies.end(), [&](const Tally& t) { return t.scheduler == s.scheduler; });
      if (it == tallies.end()) {
        tallies.push_back({s.scheduler});
        it = tallies.end() - 1;
      }
      ++it->seen;
      if (s.rank == 0) continue;
      it->log_sum += std::log(s.score);
      ++it->scored;
    }
  }
  const std::size_t ranked_workloads = std::count_if(workloads.begin(), workloads.end(), [](const WorkloadAnalysis& w) {
    return std::any_of(w.schedulers.begin(), w.schedulers.end(), [](const SchedulerResult& s) { return s.rank > 0; });
  });
  std::vector<std::pair<std::string, double>> ranking;
  for (const auto& t : tallies) {
    if (t.scored == 0) continue;
    if (t.scored < ranked_workloads) {
      warnings.push_back(fmt::format("{}: the overall score covers {} of the {} ranked workloads", t.scheduler,
                                     t.scored, ranked_workloads));
    }
    ranking.emplace_back(t.scheduler, std::exp(t.log_sum / static_cast<double>(t.scored)));
  }
  std::stable_sort(ranking.begin(), ranking.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return ranking;
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
  validate(options);
  return summarize_seeded(values, options, options.seed);
}

bool precise_enough(const Summary& s, double target_relative_halfwidth) {
  if (s.n < kMinRepetitionsForInterval) return false;
  return (s.ci_high - s.ci_low) / 2 <= target_relative_halfwidth * std::abs(s.median);
}

RunAnalysis analyse(std::span<const Observation> observations, const AnalysisOptions& options) {
  validate(options);
  RunAnalysis run;
  run.baseline = options.baseline;
  if (run.baseline.empty() && !observations.empty()) run.baseline = observations.front().scheduler;
  for (const auto& w : group(observations)) {
    run.workloads.push_back(analyse_workload(w, run.baseline, options));
    const auto& warnings = run.workloads.back().warnings;
    run.warnings.insert(run.warnings.end(), warnings.begin(), warnings.end());
  }
  decide_calls(run.workloads, run.baseline, options);
  run.overall_ranking = overall(run.workloads, run.warnings);
  return run;
}

}  // namespace scxlab::stats
