#include "harness/privileges.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness/errors.hpp"

namespace scxlab::harness {
namespace {

// CAP_BPF and CAP_PERFMON arrived in 5.8; older headers may lack the names.
constexpr int kCapPerfmon = 38;
constexpr int kCapBpf = 39;

bool has_effective(const __user_cap_data_struct (&data)[2], int cap) {
  return (data[cap / 32].effective & (1U << (cap % 32))) != 0;
}

}  // namespace

std::vector<std::string> missing_capabilities() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  if (syscall(SYS_capget, &header, data) != 0) return {"(capget failed)"};
  std::vector<std::string> missing;
  const std::pair<int, const char*> needed[] = {{CAP_SYS_ADMIN, "CAP_SYS_ADMIN"},
                                                {kCapBpf, "CAP_BPF"},
                                                {kCapPerfmon, "CAP_PERFMON"},
                                                {CAP_SYS_NICE, "CAP_SYS_NICE"}};
  for (const auto& [cap, name] : needed) {
    if (!has_effective(data, cap)) missing.emplace_back(name);
  }
  return missing;
}

void require_privileges(const std::string& command) {
  const auto missing = missing_capabilities();
  if (missing.empty()) return;
  throw UsageError(fmt::format(
      "scxlab {} must change the CPU scheduler and load BPF probes, but this process lacks {}: "
      "run it as root (sudo scxlab {})",
      command, fmt::join(missing, ", "), command));
}

}  // namespace scxlab::harness
