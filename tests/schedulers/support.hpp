// Helpers for the schedulers tests: a temporary directory removed at scope exit, files, the
// journal as written on disk, the built-in manifests, and a scheduler started by a process the
// test then kills.
#pragma once

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <stdlib.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "catch.hpp"
#include "schedulers/scheduler.hpp"

namespace scxlab::schedulers::test {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "scxlab-sched-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline void write_text(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The journal file as the next start would read it: it must parse. Returns its entries.
inline nlohmann::json journal_entries_on_disk(const std::string& path) {
  nlohmann::json j;
  REQUIRE_NOTHROW(j = nlohmann::json::parse(read_text(path)));
  return j.at("entries");
}

// Counts how often a file is replaced by a rename into its place (how the journal persists),
// from the kernel's inotify events: the count is exact, whatever the machine's load.
class ReplacementCounter {
 public:
  explicit ReplacementCounter(const std::string& path)
      : name_(std::filesystem::path(path).filename().string()), fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
    REQUIRE(fd_ >= 0);
    // IN_MOVED_FROM too: inotify merges an event identical to the one queued just before it,
    // so back-to-back renames would read as one; each rename's FROM half keeps them apart.
    REQUIRE(::inotify_add_watch(fd_, std::filesystem::path(path).parent_path().c_str(), IN_MOVED_FROM | IN_MOVED_TO) >= 0);
  }
  ~ReplacementCounter() { ::close(fd_); }
  ReplacementCounter(const ReplacementCounter&) = delete;
  ReplacementCounter& operator=(const ReplacementCounter&) = delete;

  // Replacements since the last call (the events of finished renames are already queued).
  int take() {
    int n = 0;
    alignas(inotify_event) char buf[4096];
    for (ssize_t len; (len = ::read(fd_, buf, sizeof buf)) > 0;) {
      for (ssize_t off = 0; off < len;) {
        const auto* e = reinterpret_cast<const inotify_event*>(buf + off);
        if ((e->mask & IN_MOVED_TO) && e->len > 0 && name_ == e->name) ++n;
        off += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
      }
    }
    return n;
  }

 private:
  std::string name_;
  int fd_;
};

inline const std::vector<Manifest>& builtin_manifests() {
  static const auto all = load_manifests();
  return all;
}

inline const Manifest& builtin_manifest(const std::string& name) {
  for (const auto& m : builtin_manifests()) {
    if (m.name == name) return m;
  }
  throw std::runtime_error("no manifest " + name);
}

// Forks a holder that runs `start` (which starts a scheduler and returns its pid), then waits
// to be killed without ever stopping it. Returns {holder, scheduler}.
inline std::pair<pid_t, pid_t> start_in_holder(const std::function<pid_t()>& start) {
  int p[2];
  REQUIRE(::pipe(p) == 0);
  const pid_t holder = ::fork();
  REQUIRE(holder >= 0);
  if (holder == 0) {
    ::close(p[0]);
    try {
      const pid_t scheduler = start();
      if (::write(p[1], &scheduler, sizeof scheduler) != sizeof scheduler) ::_exit(2);
    } catch (...) {
      ::_exit(3);
    }
    for (;;) ::pause();
  }
  ::close(p[1]);
  pid_t scheduler = 0;
  REQUIRE(::read(p[0], &scheduler, sizeof scheduler) == sizeof scheduler);
  ::close(p[0]);
  return {holder, scheduler};
}

}  // namespace scxlab::schedulers::test
