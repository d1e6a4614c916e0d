// Process plumbing shared by the runner and background loads: pipes, writing everything,
// and killing a whole process group.
#pragma once

#include <string>
#include <sys/types.h>

namespace scxlab::workloads {

struct Pipe {
  int read_end = -1, write_end = -1;
  Pipe();  // O_CLOEXEC: nothing leaks into exec'd tools
  ~Pipe();
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  void close_read();
  void close_write();
};

bool write_all(int fd, const std::string& data);

// SIGKILL to the group, then reaps the leader if it is still our child.
void kill_group(pid_t leader);

// In a freshly forked child: its own process group, and death when scxlab dies.
void become_group_leader_that_dies_with_parent();

}  // namespace scxlab::workloads
