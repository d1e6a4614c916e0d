// What a gate (and `scxlab noise`, which measures the gate's noise) looks at: the gated
// metrics of each workload entry, and how the trials of a run ended.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "harness/lab.hpp"
#include "harness/results.hpp"
#include "stats/verdict.hpp"

namespace scxlab::harness {

// Per workload entry label: its headline metrics, or the `chosen` ones it measures. Directional
// metrics only. UsageError for a chosen metric no entry declares, or nothing to gate at all.
HeadlineMap gated_metrics(const std::vector<Entry>& entries, const std::vector<std::string>& chosen);
std::size_t gated_count(const HeadlineMap& gated);

// How the trials of each workload and scheduler ended (an interrupted trial is not an outcome).
std::vector<stats::TrialOutcomes> trial_outcomes(std::span<const store::TrialRecord> trials);

}  // namespace scxlab::harness
