// The host fingerprint recorded with every run: enough to tell whether two runs are
// comparable (kernel, CPU, topology, memory, frequency governor, sched_ext, scxlab version).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace scxlab::harness {

std::string scxlab_version();
std::string hostname();
std::string kernel_release();  // uname -r

nlohmann::json host_fingerprint();

// First line of a small file, trimmed; "" if unreadable.
std::string read_first_line(const std::string& path);

}  // namespace scxlab::harness
