// A filesystem scxlab mounts only while it needs it (debugfs for the kernel default's knobs,
// bpffs for sched_ext schedulers that pin maps), journaled before the mount so that a crash
// leaves the next start to unmount it. Internal.
#pragma once

#include <string>
#include <vector>

#include "schedulers/journal.hpp"

namespace scxlab::schedulers {

bool is_mounted(const std::string& mounts_file, const std::string& mount_point, const std::string& fstype);

class TemporaryMount {
 public:
  // Mounts `fstype` at `point` unless /proc/self/mounts (or `mounts_file`) shows it there.
  TemporaryMount(Journal& journal, const std::string& fstype, const std::string& point,
                 const std::string& mounts_file = "/proc/self/mounts");
  ~TemporaryMount();
  TemporaryMount(const TemporaryMount&) = delete;
  TemporaryMount& operator=(const TemporaryMount&) = delete;

  // "" when the filesystem is there (mounted before or by us), else why it is not.
  const std::string& problem() const { return problem_; }
  bool mounted_by_us() const { return mounted_; }
  // Unmounts what this mounted; a line for the user when that fails (the journal keeps it).
  std::vector<std::string> release();

 private:
  Journal& journal_;
  std::string point_;
  bool mounted_ = false;
  std::string problem_;
};

}  // namespace scxlab::schedulers
