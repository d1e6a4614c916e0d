// The host fingerprint recorded with every run: enough to tell whether two runs are
// comparable (kernel, CPU, topology, memory, frequency governor, sched_ext, scxlab version).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace scxlab::harness {

// "0.1.0 (commit 116824e2f0ab-dirty)": the release and the commit this binary was built from,
// recorded in every run and shown in every report.
std::string scxlab_version();
std::string build_commit();  // `git describe --always --dirty` at build time, or "unknown"
std::string hostname();
std::string kernel_release();  // uname -r

// Includes "hardware_class": the class's id (below).
nlohmann::json host_fingerprint();

// Hosts of one hardware class are interchangeable for statistics: same CPU model, counts of
// CPUs, cores, packages and last-level cache groups, SMT, last-level cache size, memory (to
// the GiB) and kernel release. A fleet pools their trials; `scxlab doctor` prints the class.
struct HardwareClass {
  std::string id;           // "hw-" and 12 hex digits of a hash of the description: stable everywhere
  std::string description;  // "AMD EPYC 7B13, 2 CPUs, 2 cores, ..., Linux 6.18.44"
};
HardwareClass hardware_class(const nlohmann::json& fingerprint);

// First line of a small file, trimmed; "" if unreadable.
std::string read_first_line(const std::string& path);

}  // namespace scxlab::harness
