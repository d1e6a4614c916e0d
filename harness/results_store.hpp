// The long-lived results store, beside each run's own directory: a SQLite file a CI runner
// keeps between jobs (kDefaultStore), or a PostgreSQL database that many hosts share. Gates
// record every run there and read baselines and history from it; a shootout or tune with
// --store records its finished run too.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace scxlab::harness {

// Where a runner keeps its history and named baselines between CI jobs.
inline constexpr const char* kDefaultStore = "/var/lib/scxlab/results.db";

// The results store at `path`; with `create`, its directory is made first. UsageError naming
// the path and the fix.
store::ResultsDb open_store(const std::string& path, bool create);  // a URL: refused if it holds a password

// Copies a finished run of the run directory's `db` into the results store at `location`
// (created if need be; a run already there is not copied twice) and returns the store.
// UsageError naming the store and the fix.
store::ResultsDb record_in_store(const std::string& location, const store::ResultsDb& db, std::int64_t run_id);

// A shootout's or tune's --store ("" = none): opened before the first trial, so that a wrong
// one is refused (UsageError) before anything runs; at the end, the finished run is recorded
// there, or one line in `notes` and on stderr says why not (the run directory keeps every
// result either way).
void check_store(const std::string& location);
void record_finished_run(const std::string& command, const std::string& location, const store::ResultsDb& db,
                         std::int64_t run_id, bool quiet, std::vector<std::string>& notes);

}  // namespace scxlab::harness
