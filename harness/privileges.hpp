// What scxlab needs from the kernel to change schedulers and load probes, checked up front
// so a user learns the missing capability by name instead of from a failed syscall.
#pragma once

#include <string>
#include <vector>

namespace scxlab::harness {

// Names of the capabilities a shootout or tune needs that this process lacks
// (CAP_SYS_ADMIN, CAP_BPF, CAP_PERFMON, CAP_SYS_NICE); empty when all are present.
std::vector<std::string> missing_capabilities();

// Throws UsageError naming the missing capabilities and the fix (run as root).
void require_privileges(const std::string& command);

}  // namespace scxlab::harness
