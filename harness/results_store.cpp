#include "harness/results_store.hpp"

#include <filesystem>
#include <iostream>
#include <regex>

#include <fmt/format.h>

#include "harness/errors.hpp"
#include "harness/results.hpp"

namespace scxlab::harness {
namespace fs = std::filesystem;

store::ResultsDb open_store(const std::string& path, bool create) {
  if (store::is_server_store(path)) {
    // The URL is recorded with a gate's plan (for --resume) and shown by ps: no secret in it.
    if (std::regex_search(path, std::regex(R"(://[^/@]*:[^/@]*@|password=)"))) {
      throw UsageError("--store: a password in the URL would be recorded with the run and shown by ps: put it in "
                       "~/.pgpass (host:port:database:user:password, mode 0600) or PGPASSWORD, and give the URL "
                       "without it");
    }
    return open_results_db(path);  // the server keeps its own tables
  }
  if (create) {
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    if (ec) {
      throw UsageError(fmt::format("cannot create the results store's directory {}: {}: give another with --store PATH",
                                   fs::path(path).parent_path().string(), ec.message()));
    }
  } else if (!fs::exists(path)) {
    throw UsageError(fmt::format("no results store at {}: gates record their runs there (scxlab gate, or "
                                 "scxlab baseline save); give another with --store PATH", path));
  }
  return open_results_db(path);
}

store::ResultsDb record_in_store(const std::string& location, const store::ResultsDb& db, std::int64_t run_id) {
  auto store = open_store(location, true);
  try {
    store.import_run({*db.run(run_id), db.trials(run_id)});
  } catch (const store::StoreError& e) {
    throw UsageError(e.what());
  }
  return store;
}

void check_store(const std::string& location) {
  if (!location.empty()) open_store(location, true);
}

void record_finished_run(const std::string& command, const std::string& location, const store::ResultsDb& db,
                         std::int64_t run_id, bool quiet, std::vector<std::string>& notes) {
  if (location.empty()) return;
  try {
    const auto store = record_in_store(location, db, run_id);
    if (!quiet) std::cerr << fmt::format("scxlab {}: recorded in the results store {}\n", command, store.path());
  } catch (const UsageError& e) {
    notes.push_back(fmt::format("not recorded in the results store: {}", e.what()));
    std::cerr << "scxlab " << command << ": " << notes.back() << "\n";
  }
}

}  // namespace scxlab::harness
