// The probes on a sched_ext kernel: this test binary's [bpf] tests, run inside the VM lab
// (scripts/vm/vm.sh, a Debian kernel with CONFIG_SCHED_CLASS_EXT=y under QEMU). The probes are
// CO-RE objects built against this host's BTF: this checks they relocate, load, attach and
// count on another kernel version. Correctness only: TCG timing says nothing about speed.
#include <cstdio>
#include <filesystem>
#include <string>

#include <sys/wait.h>

#include "catch.hpp"

namespace {

struct Output {
  int exit_code = -1;
  std::string text;
};

Output run_shell(const std::string& command) {
  Output out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.text.append(buf, n);
  const int status = pclose(p);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

}  // namespace

TEST_CASE("the probes load and count on the VM lab's sched_ext kernel", "[vm]") {
  const std::string vm = std::string(SCXLAB_SOURCE_DIR) + "/scripts/vm/vm.sh";
  const std::string self = std::string(SCXLAB_BINARY_DIR) + "/tests/test_metrics";
  INFO("needs the VM lab: " << vm << " (scripts/vm/vm.sh fetch once, as root)");
  REQUIRE(std::filesystem::exists(vm));
  const auto out = run_shell("'" + vm + "' run --build-dir '" + SCXLAB_BINARY_DIR + "' --tests --timeout 900 -- '" + self +
                             "' '[bpf]'");
  INFO(out.text);
  CHECK(out.exit_code == 0);
  CHECK(out.text.find("sched_ext disabled") != std::string::npos);  // a kernel that has sched_ext
  CHECK(out.text.find("All tests passed") != std::string::npos);
}
