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

nlohmann::json host_fingerprint();

// First line of a small file, trimmed; "" if unreadable.
std::string read_first_line(const std::string& path);

}  // namespace scxlab::harness
