// A realistic run for the report tests: a real results DB with three schedulers on two
// workloads, interleaved repetitions, a warm-up round, an ejected and a failed trial, an
// interrupted trial run again, unavailable metrics, latency histograms, and the real analysis.
#pragma once

#include <filesystem>
#include <string>

#include "reports/model.hpp"
#include "store/store.hpp"

namespace scxlab::test {

struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

inline constexpr int kFixtureRepetitions = 8;

struct ReportFixture {
  TempDir dir;
  store::ResultsDb db;
  std::int64_t run_id = 0;
  reports::HeadlineMap headlines;
  reports::ReportInput input;  // read back from the DB, analysed by stats::analyse

  explicit ReportFixture(const std::string& name);
};

}  // namespace scxlab::test
