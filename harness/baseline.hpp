// What a gate compares against, and `scxlab baseline`. A gate's --baseline is a scheduler
// configuration run in the same interleaved rounds (the trustworthy comparison of two builds),
// or a stored run: a run directory, a results.json (a JSON artifact of an earlier CI job) or
// a NAME saved in the results store with `scxlab baseline save`. A stored run is only compared
// on the host and kernel it was measured on (--allow-other-host to override).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/results_store.hpp"
#include "schedulers/scheduler.hpp"
#include "store/store.hpp"

namespace scxlab::harness {

struct StoredBaseline {
  store::StoredRun run;
  std::string label;   // the configuration of the run that is the baseline
  std::string source;  // for people: "stored baseline 'main' (run 3f2a9c1e of 2026-11-24T10:00:00Z)"
};

// A stored run named by a path: a run directory (its results.db's latest run) or a JSON export
// (results.json); `source` says which, for people: "run 3f2a9c1e of 2026-11-24T10:00:00Z in
// DIR". Empty when nothing exists at `path`. UsageError (naming `what`, e.g. "--baseline
// DIR", and the fix) for a directory without results.db or a run, or a file that is not a
// usable export. `scxlab gate --baseline` and `scxlab compare` read runs through this.
struct LoadedRun {
  store::StoredRun run;
  std::string source;
};
std::optional<LoadedRun> load_run_at(const std::string& path, const std::string& what);

// A --baseline that names a stored run: an existing directory (its results.db's latest run),
// an existing file (a JSON export), or a baseline saved in the store at `store_path`. Empty
// when it names none of these (then it is a scheduler configuration). `label` picks the
// configuration in a run of several ("" = its only one, or a gate's candidate). UsageError for
// a file that is not a usable export, an unknown label, a run without trials.
std::optional<StoredBaseline> find_stored_baseline(const std::string& baseline, const std::string& label,
                                                   const std::string& store_path);

// Refuses (UsageError, one line saying what differs) a baseline measured on another host or
// kernel, unless allowed.
void check_same_host(const StoredBaseline& baseline, bool allow_other_host);

struct BaselineOptions {
  std::string action;  // "save" | "list"
  std::string name;
  std::string run;     // a run directory or a results.json
  std::string label;
  std::string store = kDefaultStore;
  bool json = false;
};
int baseline_command(const BaselineOptions& o);

}  // namespace scxlab::harness
