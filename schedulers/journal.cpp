#include "schedulers/journal.hpp"

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <sys/mount.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/files.hpp"
#include "schedulers/host_io.hpp"
#include "schedulers/loader_backend.hpp"

namespace scxlab::schedulers {
namespace fs = std::filesystem;
namespace {

nlohmann::json to_json(const JournalEntry& e) {
  nlohmann::json j = {{"kind", e.kind}, {"path", e.path}};
  if (e.kind == "file") j["old_value"] = e.old_value;
  if (e.kind == "process") {
    j["pid"] = e.pid;
    j["start_time"] = e.start_time;
  }
  return j;
}

JournalEntry from_json(const nlohmann::json& j) {
  JournalEntry e;
  e.kind = j.at("kind").get<std::string>();
  e.path = j.at("path").get<std::string>();
  e.old_value = j.value("old_value", "");
  e.pid = j.value("pid", 0);
  e.start_time = j.value("start_time", 0ULL);
  return e;
}

// The pid holding a POSIX write lock on fd, or 0 if none.
pid_t lock_holder(int fd) {
  struct flock fl{};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  if (::fcntl(fd, F_GETLK, &fl) != 0 || fl.l_type == F_UNLCK) return 0;
  return fl.l_pid;
}

int take_lock(const std::string& lock_path, const std::string& journal_path) {
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw std::runtime_error(fmt::format("cannot open the restore journal lock {}: {} (scxlab needs root "
                                         "to change schedulers; run it with sudo)",
                                         lock_path, host::errno_text(errno)));
  }
  struct flock fl{};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  if (::fcntl(fd, F_SETLK, &fl) != 0) {
    const int err = errno;
    const pid_t holder = lock_holder(fd);
    ::close(fd);
    if (err == EACCES || err == EAGAIN) {
      throw std::runtime_error(fmt::format(
          "another scxlab run (pid {}) is changing this machine (it holds the restore journal {}); "
          "wait for it to finish or stop it, then try again",
          holder, journal_path));
    }
    throw std::runtime_error(fmt::format("cannot lock {}: {}", lock_path, host::errno_text(err)));
  }
  return fd;
}

// nullopt when the file already holds its recorded value (nothing done).
std::optional<std::string> replay_file(const JournalEntry& e) {
  const auto r = host::restore_file(e.path, e.old_value);
  if (r.outcome == host::Restored::kUnchanged) return std::nullopt;
  if (r.outcome == host::Restored::kFailed) {
    return fmt::format("could not restore {} to '{}': {}", e.path, host::trim(e.old_value), host::errno_text(r.err));
  }
  return fmt::format("restored {} to '{}'", e.path, host::trim(e.old_value));
}

std::string replay_process(const JournalEntry& e) {
  const auto what = host::stop_process(e.pid, e.start_time);
  return fmt::format("{} (pid {}): {}", e.path, e.pid, what);
}

std::string replay_service(const JournalEntry& e) {
  const auto r = host::run_command({"systemctl", "start", e.path});
  if (r.status != 0) return fmt::format("could not start {} again: {}", e.path, r.last_line);
  return fmt::format("started {} again", e.path);
}

std::string replay_mount(const JournalEntry& e) {
  if (::umount2(e.path.c_str(), 0) != 0) {
    return fmt::format("could not unmount {}: {}", e.path, host::errno_text(errno));
  }
  return fmt::format("unmounted {}", e.path);
}

std::optional<std::string> replay_entry(const JournalEntry& e) {
  if (e.kind == "file") return replay_file(e);
  if (e.kind == "process") return replay_process(e);
  if (e.kind == "service") return replay_service(e);
  if (e.kind == "mount") return replay_mount(e);
  if (e.kind == "scx_loader") return stop_via_scx_loader(e.path);
  return fmt::format("unknown journal entry kind '{}' for {}: left alone", e.kind, e.path);
}

}  // namespace

Journal::Journal(std::string path) : path_(std::move(path)) {
  const auto dir = fs::path(path_).parent_path();
  std::error_code ec;
  if (!dir.empty()) fs::create_directories(dir, ec);
  if (ec) {
    throw std::runtime_error(fmt::format("cannot create the restore journal's directory {}: {} (run scxlab as root)",
                                         dir.string(), ec.message()));
  }
  lock_fd_.reset(take_lock(path_ + ".lock", path_));
  load();
}

std::string Journal::default_path() { return "/run/scxlab/journal.json"; }

void Journal::load() {
  const auto r = host::read_file(path_);
  if (!r.ok) return;  // no journal yet: nothing to undo
  try {
    const auto j = nlohmann::json::parse(r.text);
    for (const auto& e : j.at("entries")) entries_.push_back(from_json(e));
  } catch (const std::exception& e) {
    // Never let a damaged journal block recovery: keep it for a human, start afresh.
    const auto aside = fmt::format("{}.unreadable-{}", path_, std::time(nullptr));
    std::error_code ec;
    fs::rename(path_, aside, ec);
    entries_.clear();
    load_notes_.push_back(fmt::format(
        "the restore journal {} was unreadable ({}); moved it to {}: check by hand what it lists", path_,
        e.what(), ec ? path_ : aside));
  }
}

void Journal::persist() {
  nlohmann::json j = {{"version", 1}, {"writer_pid", ::getpid()}, {"entries", nlohmann::json::array()}};
  for (const auto& e : entries_) j["entries"].push_back(to_json(e));
  base::write_file_atomically(path_, j.dump(1) + "\n", 0600);
}

void Journal::add(std::vector<JournalEntry> added) {
  const auto before = entries_.size();
  entries_.insert(entries_.end(), std::make_move_iterator(added.begin()), std::make_move_iterator(added.end()));
  try {
    persist();
  } catch (...) {
    entries_.resize(before);
    throw;
  }
}

void Journal::will_write_file(const std::string& path, const std::string& old_value) {
  will_write_files({{path, old_value}});
}

void Journal::will_write_files(const std::vector<FileValue>& old_values) {
  std::vector<JournalEntry> added;
  added.reserve(old_values.size());
  for (const auto& f : old_values) added.push_back({"file", f.path, f.value, 0, 0});
  add(std::move(added));
}

void Journal::started_process(const std::string& exe, pid_t pid) {
  const auto start = host::process_start_time(pid);
  if (!start) throw std::runtime_error(fmt::format("cannot journal process {} (pid {}): it is gone", exe, pid));
  add({{"process", exe, "", pid, *start}});
}

void Journal::stopped_service(const std::string& service) { add({{"service", service, "", 0, 0}}); }

void Journal::mounted(const std::string& mount_point) { add({{"mount", mount_point, "", 0, 0}}); }

void Journal::started_via_scx_loader(const std::string& scheduler) { add({{"scx_loader", scheduler, "", 0, 0}}); }

void Journal::forget_process(pid_t pid) {
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->kind == "process" && it->pid == pid) {
      entries_.erase(std::next(it).base());
      persist();
      return;
    }
  }
}

void Journal::forget(const std::string& kind, const std::string& path) { forget_all(kind, {path}); }

void Journal::forget_all(const std::string& kind, const std::vector<std::string>& paths) {
  bool changed = false;
  for (const auto& path : paths) {
    const auto newest = std::find_if(entries_.rbegin(), entries_.rend(),
                                     [&](const JournalEntry& e) { return e.kind == kind && e.path == path; });
    if (newest == entries_.rend()) continue;
    entries_.erase(std::next(newest).base());
    changed = true;
  }
  if (changed) persist();
}

std::vector<std::string> Journal::replay() {
  std::vector<std::string> lines = std::move(load_notes_);
  load_notes_.clear();
  size_t unchanged = 0;
  while (!entries_.empty()) {
    const bool file = entries_.back().kind == "file";
    if (auto line = replay_entry(entries_.back())) {
      lines.push_back(std::move(*line));
    } else {
      ++unchanged;
    }
    entries_.pop_back();
    // Persisted after each step, so a crash mid-replay redoes at most that step; a run of file
    // restores (hundreds on a many-CPU host) is persisted once, since restoring a file again
    // compares before it writes.
    if (file && !entries_.empty() && entries_.back().kind == "file") continue;
    try {
      persist();
    } catch (const std::exception& e) {
      lines.push_back(e.what());
    }
  }
  if (unchanged > 0) {
    lines.push_back(fmt::format("{} recorded file{} still held {} recorded value{}: left alone", unchanged,
                                unchanged == 1 ? "" : "s", unchanged == 1 ? "its" : "their", unchanged == 1 ? "" : "s"));
  }
  return lines;
}

bool Journal::empty() const { return entries_.empty() && load_notes_.empty(); }

}  // namespace scxlab::schedulers
