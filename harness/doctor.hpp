// `scxlab doctor`: what this host can do, each item probed (never assumed), with the reason
// when it cannot.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace scxlab::harness {

struct Check {
  std::string name;    // "sched_ext", "perf.hardware", ...
  bool ok = false;
  std::string detail;  // what was found, or why not
  bool required = false;  // a shootout cannot run without it
};

std::vector<Check> run_doctor_checks();
nlohmann::json checks_to_json(const std::vector<Check>& checks);

// Prints the checks (text or JSON); returns 0 when a shootout can run at all, else 1.
int doctor_command(bool json);

}  // namespace scxlab::harness
