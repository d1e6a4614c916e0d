// Measurements travel from the forked child to the harness as JSON over a pipe.
#pragma once

#include <string>

#include "workloads/registry.hpp"

namespace scxlab::workloads {

std::string encode(const Measurements& m);
std::string encode_failure(const std::string& reason);
// Throws WorkloadFailure with the child's reason, or when the payload is not ours.
Measurements decode(const std::string& payload);

}  // namespace scxlab::workloads
