#include "harness/gated.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "harness/errors.hpp"
#include "reports/model.hpp"
#include "workloads/workload.hpp"

namespace scxlab::harness {

HeadlineMap gated_metrics(const std::vector<Entry>& entries, const std::vector<std::string>& chosen) {
  HeadlineMap out;
  std::set<std::string> found;
  for (const auto& e : entries) {
    const auto info = workloads::find_workload(e.workload);
    if (!info) continue;
    for (const auto& spec : info->metrics) {
      if (spec.direction == Direction::informational) continue;
      const bool wanted = chosen.empty() ? spec.headline
                                         : std::find(chosen.begin(), chosen.end(), spec.name) != chosen.end();
      if (!wanted) continue;
      out[e.label].insert(spec.name);
      found.insert(spec.name);
    }
  }
  for (const auto& m : chosen) {
    if (!found.count(m)) {
      throw UsageError(fmt::format("--metrics {}: no workload of the gate declares it as a metric with a direction "
                                   "(see: scxlab list workloads)", m));
    }
  }
  if (out.empty()) {
    throw UsageError("nothing to gate: these workloads declare no headline metric with a direction; choose metrics "
                     "with --metrics (see: scxlab list workloads)");
  }
  return out;
}

std::size_t gated_count(const HeadlineMap& gated) {
  std::size_t n = 0;
  for (const auto& [workload, metrics] : gated) n += metrics.size();
  return n;
}

std::vector<stats::TrialOutcomes> trial_outcomes(std::span<const store::TrialRecord> trials) {
  std::vector<stats::TrialOutcomes> out;
  for (const auto& t : reports::tally_trials(trials)) {
    stats::TrialOutcomes o{t.workload, t.scheduler, t.counted, 0, ""};
    for (const auto& [status, count] : t.left_out) {
      if (status == "interrupted") continue;
      o.not_ok += count;
      o.last_reason = fmt::format("{}: {}", status, t.last_reason.at(status));
    }
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace scxlab::harness
