#include "schedulers/mounts.hpp"

#include <cerrno>
#include <sstream>

#include <fmt/format.h>
#include <sys/mount.h>

#include "schedulers/host_io.hpp"

namespace scxlab::schedulers {

bool is_mounted(const std::string& mounts_file, const std::string& mount_point, const std::string& fstype) {
  std::istringstream in(host::read_file(mounts_file).text);
  for (std::string dev, dir, type, rest; in >> dev >> dir >> type && std::getline(in, rest);) {
    if (dir == mount_point && type == fstype) return true;
  }
  return false;
}

TemporaryMount::TemporaryMount(Journal& journal, const std::string& fstype, const std::string& point,
                               const std::string& mounts_file)
    : journal_(journal), point_(point) {
  if (is_mounted(mounts_file, point, fstype)) return;
  try {
    journal_.mounted(point);
  } catch (const std::exception& e) {
    problem_ = fmt::format("{} is not mounted at {} and the journal cannot record a mount: {}", fstype, point, e.what());
    return;
  }
  if (::mount(fstype.c_str(), point.c_str(), fstype.c_str(), 0, nullptr) != 0) {
    problem_ = fmt::format("{} is not mounted at {} and mounting it failed: {} (mount -t {} {} {})", fstype, point,
                           host::errno_text(errno), fstype, fstype, point);
    journal_.forget("mount", point);
    return;
  }
  mounted_ = true;
}

TemporaryMount::~TemporaryMount() { release(); }

std::vector<std::string> TemporaryMount::release() {
  std::vector<std::string> notes;
  if (!mounted_) return notes;
  if (::umount2(point_.c_str(), 0) != 0) {
    notes.push_back(fmt::format("could not unmount {}: {} (the journal keeps it for the next start)", point_,
                                host::errno_text(errno)));
    return notes;
  }
  mounted_ = false;
  try {
    journal_.forget("mount", point_);
  } catch (const std::exception& e) {
    notes.push_back(fmt::format("unmounted {}, but the journal could not forget it: {}", point_, e.what()));
  }
  return notes;
}

}  // namespace scxlab::schedulers
