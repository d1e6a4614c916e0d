// Runs scripts/vm/vm.sh from a test: one boot of the sched_ext VM with this build tree in it.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace scxlab::test {

struct VmRun {
  int exit_code = -1;
  std::string out;  // the guest command's output (vm.sh's stdout)
  std::string err;  // vm.sh's own messages
  std::filesystem::path results;  // the guest's /results, fetched
};

// A fresh directory, removed with everything in it when the object goes.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// `vm.sh run --build-dir <this build> --results <results> <options> -- <command>`.
VmRun vm_run(const std::vector<std::string>& options, const std::vector<std::string>& command,
             const std::filesystem::path& results);

std::string read_file(const std::filesystem::path& path);
// key=value lines (as tests/vm/guest/scheduler_check.sh writes them).
std::map<std::string, std::string> read_key_values(const std::filesystem::path& path);

// The VM lab's cache ($SCXLAB_VM_CACHE, else /var/cache/scxlab/vm) and the kernel cached there.
std::filesystem::path vm_cache();
std::string vm_kernel_version();
// Where `vm.sh examples` put the cached kernel's own example schedulers (bin/, status).
std::filesystem::path vm_examples_dir();

std::filesystem::path source_path(const std::string& relative);  // in the source tree
std::filesystem::path build_path(const std::string& relative);   // in the build tree

}  // namespace scxlab::test
