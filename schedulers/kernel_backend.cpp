#include "schedulers/kernel_backend.hpp"

#include <cerrno>
#include <sstream>
#include <sys/utsname.h>

#include <fmt/format.h>

#include "schedulers/foreign.hpp"
#include "schedulers/host_io.hpp"
#include "schedulers/sched_ext.hpp"

namespace scxlab::schedulers {
namespace {

bool is_host_knob(const Knob& k) { return k.target.rfind("debugfs:", 0) == 0 || k.target.rfind("sysctl:", 0) == 0; }
bool is_debugfs_knob(const Knob& k) { return k.target.rfind("debugfs:", 0) == 0; }

// stop() never throws: a journal that cannot be rewritten is reported, and its stale entry
// only makes the next start restore a value that is already in place.
void forget_quietly(Journal& journal, const std::string& kind, const std::string& path, std::vector<std::string>& notes) {
  try {
    journal.forget(kind, path);
  } catch (const std::exception& e) {
    notes.push_back(e.what());
  }
}

}  // namespace

KernelBackend::KernelBackend(const Manifest& m, Journal& journal, KernelPaths paths)
    : manifest_(m), journal_(journal), paths_(std::move(paths)) {
  mount_debugfs_if_needed();
  probe();
}

KernelBackend::~KernelBackend() { stop(); }

std::string KernelBackend::knob_path(const Knob& k) const {
  const auto colon = k.target.find(':');
  const std::string rest = k.target.substr(colon + 1);
  if (is_debugfs_knob(k)) return paths_.debugfs + "/" + rest;
  std::string dotted = rest;
  for (auto& ch : dotted) {
    if (ch == '.') ch = '/';
  }
  return paths_.proc_sys + "/" + dotted;
}

void KernelBackend::mount_debugfs_if_needed() {
  bool needed = false;
  for (const auto& k : manifest_.knobs) needed = needed || is_debugfs_knob(k);
  if (needed) debugfs_ = std::make_unique<TemporaryMount>(journal_, "debugfs", paths_.debugfs, paths_.mounts);
}

void KernelBackend::probe() {
  for (const auto& k : manifest_.knobs) {
    if (!is_host_knob(k)) continue;
    if (is_debugfs_knob(k) && debugfs_ && !debugfs_->problem().empty()) {
      unavailable_.push_back({k.name, debugfs_->problem()});
      continue;
    }
    const auto path = knob_path(k);
    const auto r = host::read_file(path);
    if (!r.ok) {
      std::string why = fmt::format("{}: {}", path, host::errno_text(r.err));
      if (r.err == EPERM) why += " (this kernel refuses debugfs access, e.g. under lockdown)";
      if (r.err == ENOENT) why += " (this kernel has no such knob)";
      unavailable_.push_back({k.name, why});
    }
  }
}

std::string KernelBackend::why_not_serving() {
  const auto s = read_sched_ext_status(paths_.sched_ext);
  if (!s.present) return "";
  std::string why;
  if (s.state != "disabled") {
    why = describe_foreign_scheduler(s, struct_ops_holders(paths_.proc));
  } else if (s.enable_seq != enable_seq_) {
    why = fmt::format("a BPF scheduler was loaded and unloaded meanwhile (sched_ext enable_seq {} -> {}): part of "
                      "the time another scheduler served", enable_seq_, s.enable_seq);
  }
  enable_seq_ = s.enable_seq;
  return why;
}

void KernelBackend::start(const Config& config) {
  const auto s = read_sched_ext_status(paths_.sched_ext);
  if (s.present && s.state != "disabled") {
    throw StartError(fmt::format("{}: {}", name(), describe_foreign_scheduler(s, struct_ops_holders(paths_.proc))));
  }
  enable_seq_ = s.enable_seq;
  std::map<std::string, std::string> values;
  try {
    values = effective_knobs(manifest_, config);
  } catch (const std::invalid_argument& e) {
    throw StartError(e.what());
  }
  for (const auto& k : manifest_.knobs) {
    const auto it = values.find(k.name);
    if (it == values.end() || !is_host_knob(k)) continue;
    for (const auto& u : unavailable_) {
      if (u.name == k.name) {
        restore_writes();
        throw StartError(fmt::format("{}: knob {} cannot be set on this host: {}", name(), k.name, u.reason));
      }
    }
    const auto path = knob_path(k);
    const auto old = host::read_file(path);
    const auto fail = [&](const std::string& what, int err) {
      restore_writes();
      throw StartError(fmt::format("{}: cannot {} {} for knob {}: {}", name(), what, path, k.name, host::errno_text(err)));
    };
    if (!old.ok) fail("read", old.err);
    try {
      journal_.will_write_file(path, old.text);
    } catch (const std::exception& e) {
      restore_writes();
      throw StartError(fmt::format("{}: not changing {}: {}", name(), path, e.what()));
    }
    written_.emplace_back(path, old.text);
    const auto w = host::write_file(path, it->second);
    if (!w.ok) fail("write", w.err);
  }
}

Health KernelBackend::check() {
  auto why = why_not_serving();
  if (why.empty()) return {true, "n/a", ""};
  return {false, read_sched_ext_status(paths_.sched_ext).state, std::move(why), true};
}

std::vector<std::string> KernelBackend::restore_writes() {
  std::vector<std::string> notes;
  while (!written_.empty()) {
    const auto [path, old] = written_.back();
    written_.pop_back();
    const auto r = host::write_file(path, old);
    if (!r.ok) {
      notes.push_back(fmt::format("could not restore {} to '{}': {} (the journal keeps it for the next start)", path,
                                  host::trim(old), host::errno_text(r.err)));
      continue;
    }
    forget_quietly(journal_, "file", path, notes);
  }
  return notes;
}

std::vector<std::string> KernelBackend::stop() {
  auto notes = restore_writes();
  if (debugfs_) {
    for (auto& line : debugfs_->release()) notes.push_back(std::move(line));
  }
  return notes;
}

std::string KernelBackend::name() const { return default_scheduler_name(); }

std::string KernelBackend::version() const {
  utsname u{};
  ::uname(&u);
  return u.release;
}

std::map<std::string, std::string> KernelBackend::workload_params(const Config& config) const {
  std::map<std::string, std::string> params;
  for (const auto& [knob, value] : effective_knobs(manifest_, config)) {
    const Knob* k = manifest_.find_knob(knob);
    if (k->target.rfind("workload:", 0) == 0) params[k->target.substr(9)] = value;
  }
  return params;
}

std::vector<Unavailable> KernelBackend::unavailable_knobs() const { return unavailable_; }

}  // namespace scxlab::schedulers
