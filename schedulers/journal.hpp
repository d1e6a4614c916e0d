// The restore journal: before scxlab changes anything on the machine it writes here what it
// is about to change and how to undo it. Normal exit, a signal, an exception, or a crash
// followed by the next start all replay it (newest change first), so the machine is left as
// it was found. `scxlab restore` replays it by hand.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

namespace scxlab::schedulers {

struct JournalEntry {
  std::string kind;     // "file" (restore old contents), "process" (stop it), "service" (start it again)
  std::string path;     // file path, process executable, or service name
  std::string old_value;
  pid_t pid = 0;
  unsigned long long start_time = 0;  // /proc/<pid>/stat starttime, to never kill a reused pid
};

class Journal {
 public:
  // Opens (creating) the journal file; takes an exclusive lock so two scxlab runs never
  // change the machine at once (throws naming the holder's pid if locked).
  explicit Journal(std::string path = default_path());
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  static std::string default_path();  // /run/scxlab/journal.json

  // Each call is durable (fsync) before it returns: call it BEFORE the change.
  void will_write_file(const std::string& path, const std::string& old_value);
  void started_process(const std::string& exe, pid_t pid);
  void stopped_service(const std::string& service);
  void forget_process(pid_t pid);    // it was stopped cleanly

  // Undoes everything recorded, newest first, then empties the journal. Returns one line per
  // action taken (for the user); never throws: failures are in the lines.
  std::vector<std::string> replay();
  bool empty() const;

 private:
  void persist();
  std::string path_;
  int lock_fd_ = -1;
  std::vector<JournalEntry> entries_;
};

}  // namespace scxlab::schedulers
