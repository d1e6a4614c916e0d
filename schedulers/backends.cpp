// Choosing a backend for a manifest, naming the kernel default, and `scxlab list schedulers`.
#include <cstring>
#include <filesystem>
#include <fstream>

#include <elf.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <boost/process/search_path.hpp>
#include <fmt/format.h>

#include "schedulers/kernel_backend.hpp"
#include "schedulers/loader_backend.hpp"
#include "schedulers/scx_backend.hpp"

namespace scxlab::schedulers {
namespace fs = std::filesystem;
namespace {

bool executable(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

// Where scxlab's own schedulers are built: next to the running program, one level up (a
// test binary in build/tests), and this build's directory.
std::vector<fs::path> scxlab_binary_dirs() {
  std::vector<fs::path> dirs;
  std::error_code ec;
  const auto self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    dirs.push_back(self.parent_path());
    dirs.push_back(self.parent_path().parent_path());
  }
#ifdef SCXLAB_SCHEDULERS_BUILD_DIR
  dirs.emplace_back(SCXLAB_SCHEDULERS_BUILD_DIR);
#endif
  return dirs;
}

// An ELF object for the BPF machine (what clang -target bpf writes), by its header.
bool is_bpf_object(const fs::path& p) {
  Elf64_Ehdr header{};
  std::ifstream in(p, std::ios::binary);
  if (!in.read(reinterpret_cast<char*>(&header), sizeof header)) return false;
  return std::memcmp(header.e_ident, ELFMAG, SELFMAG) == 0 && header.e_machine == EM_BPF;
}

}  // namespace

std::unique_ptr<Backend> make_backend(const Manifest& m, Journal& journal, const BackendOptions& o) {
  if (m.backend == BackendKind::kernel) return std::make_unique<KernelBackend>(m, journal);
  Timing timing;
  timing.attach = o.attach_timeout.value_or(std::chrono::seconds(m.attach_timeout_s));
  if (o.via_scx_loader) return std::make_unique<LoaderBackend>(m, journal, o, HostPaths{}, timing);
  return std::make_unique<ScxProcessBackend>(m, journal, o, HostPaths{}, timing);
}

std::string default_scheduler_name() {
  utsname u{};
  if (::uname(&u) != 0) return "eevdf";
  int major = 0, minor = 0;
  if (std::sscanf(u.release, "%d.%d", &major, &minor) != 2) return "eevdf";
  return (major > 6 || (major == 6 && minor >= 6)) ? "eevdf" : "cfs";  // EEVDF replaced CFS in 6.6
}

std::string find_binary(const Manifest& m) {
  if (m.binary.empty()) return "";
  if (m.binary.find('/') != std::string::npos) return executable(m.binary) ? m.binary : "";
  const auto on_path = boost::process::search_path(m.binary);
  if (!on_path.empty()) return on_path.string();
  if (m.origin != "scxlab") return "";
  for (const auto& dir : scxlab_binary_dirs()) {
    if (executable(dir / m.binary)) return (dir / m.binary).string();
  }
  return "";
}

Executable resolve_binary(const Manifest& m, const std::string& binary) {
  const auto bad = [&](const std::string& what, const std::string& fix) {
    return std::invalid_argument(fmt::format("{}: binary={}: {}; fix: {}", m.name, binary, what, fix));
  };
  if (m.backend != BackendKind::scx) throw bad("this is the kernel's own scheduler, there is no binary to run", "remove binary=");
  const fs::path path(binary);
  std::error_code ec;
  const auto type = fs::status(path, ec).type();
  if (type == fs::file_type::not_found || type == fs::file_type::none) {
    throw bad("no such file or directory", fmt::format("give the path of a built {} (or of the build directory holding it)", m.binary));
  }
  if (type == fs::file_type::directory) {
    const auto inside = path / m.binary;
    if (!executable(inside)) {
      throw bad(fmt::format("the directory holds no executable {}", m.binary), "build it there, or give the file itself");
    }
    return {inside.string(), {}};
  }
  if (is_bpf_object(path)) {
    if (m.origin != "scxlab") {
      throw bad("a BPF object: only scxlab's own schedulers load one", fmt::format("give the {} executable", m.binary));
    }
    const auto runner = find_binary(m);
    if (runner.empty()) throw bad(fmt::format("loading it needs {}, which is not built", m.binary), "scripts/build.sh");
    return {runner, {"--bpf-object", path.string()}};
  }
  if (!executable(path)) throw bad("not an executable file", fmt::format("chmod +x {}, or give the built binary", binary));
  return {path.string(), {}};
}

std::vector<ListRow> list_schedulers(const std::vector<Manifest>& manifests) {
  const auto scx = read_sched_ext_status();
  std::vector<ListRow> rows;
  for (const auto& m : manifests) {
    ListRow row;
    row.manifest = m;
    if (m.backend == BackendKind::kernel) {
      row.installed = row.runnable = true;
      rows.push_back(std::move(row));
      continue;
    }
    row.binary_path = find_binary(m);
    row.installed = !row.binary_path.empty();
    if (!scx.present) {
      row.reason = "this kernel has no sched_ext (needs CONFIG_SCHED_CLASS_EXT=y, Linux 6.12+)";
    } else if (!row.installed) {
      row.reason = m.origin == "scxlab" ? fmt::format("{} is not built (scripts/build.sh builds it)", m.binary)
                                        : fmt::format("{} is not installed (not on PATH)", m.binary);
    }
    row.runnable = row.reason.empty();
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace scxlab::schedulers
