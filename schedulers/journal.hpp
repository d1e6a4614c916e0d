// The restore journal: before scxlab changes anything on the machine it writes here what it
// is about to change and how to undo it. Normal exit, a signal, an exception, or a crash
// followed by the next start all replay it (newest change first), so the machine is left as
// it was found. `scxlab restore` replays it by hand.
//
// The file is small JSON, replaced atomically (write a temporary file, fsync, rename, fsync
// the directory), so a crash at any point leaves either the old or the new journal, never a
// half-written one; an unreadable journal is moved aside and reported, never blocking
// recovery. A POSIX record lock on "<path>.lock" keeps two scxlab runs from changing the
// machine at once; unlike flock(2) it is not inherited by forked children (a workload child
// must not keep it after scxlab dies) and it names the holder's pid. The lock is per
// process: two Journal objects in one process do not exclude each other.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

#include "base/unique_fd.hpp"

namespace scxlab::schedulers {

struct JournalEntry {
  std::string kind;     // "file" (restore old contents), "process" (stop it), "service" (start
                        // it again), "mount" (unmount it), "scx_loader" (StopScheduler over DBus)
  std::string path;     // file path, process executable, service name, or mount point
  std::string old_value;
  pid_t pid = 0;
  unsigned long long start_time = 0;  // /proc/<pid>/stat starttime, to never kill a reused pid
};

struct FileValue {
  std::string path;
  std::string value;
};

class Journal {
 public:
  // Opens (creating directories and file) the journal; takes the lock (throws
  // std::runtime_error naming the holder's pid if another process has it).
  explicit Journal(std::string path = default_path());
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  static std::string default_path();  // /run/scxlab/journal.json
  const std::string& path() const { return path_; }

  // Each call is durable (fsync) before it returns: call it BEFORE the change. They throw
  // std::runtime_error when the journal cannot be written (then do not make the change).
  void will_write_file(const std::string& path, const std::string& old_value);
  // Many files in one durable write (a many-CPU host has a few files per CPU to record).
  void will_write_files(const std::vector<FileValue>& old_values);
  void started_process(const std::string& exe, pid_t pid);  // reads its starttime itself
  void stopped_service(const std::string& service);
  void mounted(const std::string& mount_point);
  void started_via_scx_loader(const std::string& scheduler);

  // The change was undone by its owner: drop the newest matching entry.
  void forget_process(pid_t pid);
  void forget(const std::string& kind, const std::string& path);
  void forget_all(const std::string& kind, const std::vector<std::string>& paths);  // one write

  // Undoes everything recorded, newest first, then empties the journal. A file that already
  // holds its recorded value is not written again (one line counts those). Returns one line
  // per action taken (for the user); never throws: failures are in the lines.

  std::vector<std::string> replay();
  bool empty() const;
  const std::vector<JournalEntry>& entries() const { return entries_; }

 private:
  void add(std::vector<JournalEntry> added);
  void persist();
  void load();
  std::string path_;
  base::UniqueFd lock_fd_;  // held for the journal's life: one scxlab run changes this machine
  std::vector<JournalEntry> entries_;
  std::vector<std::string> load_notes_;  // an unreadable journal found at start-up
};

}  // namespace scxlab::schedulers
