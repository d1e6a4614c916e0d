// Process plumbing shared by the runner, the generators and background loads (whose pipes
// are base::Pipe): writing everything, forking children that die with their parent, killing
// a whole process group, and the private directory a run works in.
#pragma once

#include <optional>
#include <string>
#include <sys/types.h>

namespace scxlab::workloads {

// Writes everything; false on error. Never raises SIGPIPE on a socket.
bool write_all(int fd, const std::string& data);

// fork() whose child gets SIGKILL when its parent dies (so a killed generator or harness
// leaves no orphan load behind). The kernel ties this to the forking THREAD: fork from a
// thread that outlives the child (every caller here forks from its main thread). Returns
// like fork().
pid_t fork_dying_with_parent();

// fork_dying_with_parent(), and the child leads a new process group (the unit kill_group kills).
pid_t fork_group_leader();

// SIGKILL to the group, waits (bounded) until no live member is left, then reaps the leader
// (our child). Call it once per leader: afterwards its id may belong to someone else.
void kill_group(pid_t leader);

// A child's wait status once it has exited, WITHOUT reaping it (so its pid and process group
// id stay ours until kill_group); nullopt while it runs.
std::optional<int> exited_status(pid_t pid);

// Whether a live (not zombie) process is in process group `pgid` (walks /proc).
bool group_alive(pid_t pgid);

// A private directory for one run (mkdtemp under $TMPDIR or /tmp, named scxlab-run-<pid>-*),
// removed with its contents. A process killed by SIGKILL runs no destructor, so each new one
// first removes the scratch directories of processes that are gone.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace scxlab::workloads
