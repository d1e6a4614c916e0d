// Which workload entries a run measures: a suite's, or the user's -w specs instead; labels
// made unique in the run; and their form in a run's recorded plan (for --resume).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/lab.hpp"

namespace scxlab::harness {

// The entries of `workload_specs` ("messaging:groups=4") when any are given, else of the suite
// `suite` (a name or a TOML file). A repeated label gets "#2", "#3". Throws UsageError.
std::vector<Entry> resolve_entries(const std::string& suite, const std::vector<std::string>& workload_specs);

nlohmann::json entries_to_json(const std::vector<Entry>& entries);
std::vector<Entry> entries_from_json(const nlohmann::json& j);

}  // namespace scxlab::harness
