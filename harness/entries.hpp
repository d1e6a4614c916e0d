// Which workload entries a run measures: a -w spec parsed ("messaging:groups=4"), a suite's
// entries, or the user's -w specs instead; labels made unique in the run; and their form in a
// run's recorded plan (for --resume). Nothing here touches the machine (the fuzz target
// workload_spec builds this file alone).
#pragma once

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "workloads/workload.hpp"

namespace scxlab::harness {

// One workload run of a plan: a suite entry with its validated parameters.
struct Entry {
  std::string label;
  std::string workload;
  workloads::Params params;
  std::set<std::string> headline;  // metric names shown as table columns
};

// Parses "name" or "name:key=value,key=value" into an entry, validating the parameters.
Entry parse_entry(const std::string& spec);
Entry make_entry(const std::string& label, const std::string& workload, const workloads::Params& params);

// The entries of `workload_specs` ("messaging:groups=4") when any are given, else of the suite
// `suite` (a name or a TOML file). A repeated label gets "#2", "#3". Throws UsageError.
std::vector<Entry> resolve_entries(const std::string& suite, const std::vector<std::string>& workload_specs);

nlohmann::json entries_to_json(const std::vector<Entry>& entries);
std::vector<Entry> entries_from_json(const nlohmann::json& j);

}  // namespace scxlab::harness
