#include "bpf/sched/runner.hpp"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <fmt/core.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "base/unique_fd.hpp"
#include "bpf/sched/sched_common.h"

namespace scxlab::bpf::sched {
namespace {

const char* const kSysfs = "/sys/kernel/sched_ext";

// Thrown for anything that stops the scheduler from starting: run() reports it, returns 3.
struct CannotStart : std::runtime_error {
  using std::runtime_error::runtime_error;
};

bool g_verbose = false;

int print_libbpf(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG && !g_verbose) return 0;
  return std::vfprintf(stderr, format, args);
}

std::string read_sysfs(const std::string& file) {
  std::ifstream in(std::string(kSysfs) + "/" + file);
  std::string value;
  std::getline(in, value);
  return value;
}

std::string kernel_release() {
  utsname u{};
  return uname(&u) == 0 ? u.release : "unknown";
}

// sched_ext must exist and be free: only one BPF scheduler can be loaded system-wide.
void check_kernel(const std::string& name) {
  if (access(kSysfs, F_OK) != 0) {
    throw CannotStart(fmt::format(
        "this kernel ({}) has no sched_ext: {} is missing (it needs CONFIG_SCHED_CLASS_EXT=y). "
        "Run it in scxlab's VM lab instead: scripts/vm/vm.sh run -- {}",
        kernel_release(), kSysfs, name));
  }
  const std::string state = read_sysfs("state");
  if (state != "disabled") {
    const std::string ops = read_sysfs("root/ops");
    throw CannotStart(fmt::format("another sched_ext scheduler is {} ({}); stop it first", state,
                                  ops.empty() ? "name unknown" : "ops " + ops));
  }
}

using Object = std::unique_ptr<bpf_object, decltype(&bpf_object__close)>;
using Link = std::unique_ptr<bpf_link, decltype(&bpf_link__destroy)>;
using RingBuffer = std::unique_ptr<ring_buffer, decltype(&ring_buffer__free)>;

// Writes `value` into the `size`-byte field at `where` (little-endian: its low bytes).
void store_scalar(void* where, std::size_t size, std::uint64_t value, const std::string& what) {
  if (size != 1 && size != 2 && size != 4 && size != 8) {
    throw CannotStart(fmt::format("{} is {} bytes wide, not an integer", what, size));
  }
  if (size < 8 && (value >> (8 * size)) != 0) {
    throw CannotStart(fmt::format("{} = {} does not fit in {} bytes", what, value, size));
  }
  std::memcpy(where, &value, size);
}

bpf_map* internal_map(bpf_object* obj, const std::string& suffix) {
  bpf_map* map = nullptr;
  bpf_object__for_each_map(map, obj) {
    const std::string n = bpf_map__name(map);
    if (bpf_map__is_internal(map) && n.size() >= suffix.size() &&
        n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return map;
    }
  }
  return nullptr;
}

// Sets a `const volatile` global before load: its offset comes from the object's BTF, the
// way a skeleton would compute it at build time.
void set_rodata(bpf_object* obj, const std::string& var, std::uint64_t value) {
  bpf_map* rodata = internal_map(obj, ".rodata");
  const btf* b = bpf_object__btf(obj);
  const int sec_id = b ? btf__find_by_name_kind(b, ".rodata", BTF_KIND_DATASEC) : -1;
  if (!rodata || sec_id < 0) throw CannotStart("the BPF object has no .rodata to set " + var + " in");
  std::size_t size = 0;
  auto* data = static_cast<char*>(bpf_map__initial_value(rodata, &size));
  const btf_type* sec = btf__type_by_id(b, sec_id);
  const btf_var_secinfo* vars = btf_var_secinfos(sec);
  for (int i = 0; i < btf_vlen(sec); ++i) {
    const btf_type* v = btf__type_by_id(b, vars[i].type);
    if (var == btf__name_by_offset(b, v->name_off) && vars[i].offset + vars[i].size <= size) {
      store_scalar(data + vars[i].offset, vars[i].size, value, var);
      return;
    }
  }
  throw CannotStart("the BPF object has no knob " + var);
}

// Sets an integer member of the struct_ops map (e.g. sched_ext_ops.timeout_ms) before load.
void set_ops_member(bpf_map* ops, const bpf_object* obj, const std::string& member, std::uint64_t value) {
  const btf* b = bpf_object__btf(obj);
  const btf_type* t = btf__type_by_id(b, bpf_map__btf_value_type_id(ops));
  std::size_t size = 0;
  auto* data = static_cast<char*>(bpf_map__initial_value(ops, &size));
  if (!t || !data || !btf_is_struct(t)) throw CannotStart("cannot set " + member + ": the struct_ops map has no BTF");
  const btf_member* m = btf_members(t);
  for (int i = 0; i < btf_vlen(t); ++i) {
    if (member != btf__name_by_offset(b, m[i].name_off)) continue;
    const __s64 member_size = btf__resolve_size(b, m[i].type);
    const std::size_t offset = btf_member_bit_offset(t, i) / 8;
    if (member_size <= 0 || offset + static_cast<std::size_t>(member_size) > size) break;
    store_scalar(data + offset, static_cast<std::size_t>(member_size), value, member);
    return;
  }
  throw CannotStart("sched_ext_ops has no member " + member + " in this build");
}

Object open_object(const Scheduler& s, const RunOptions& options, bpf_map** ops) {
  LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = s.name.c_str());
  const bool embedded = options.object_file.empty();
  const std::string what = embedded ? "the embedded BPF object" : options.object_file;
  Object obj(embedded ? bpf_object__open_mem(s.object.data, s.object.size, &opts)
                      : bpf_object__open_file(options.object_file.c_str(), &opts),
             &bpf_object__close);
  if (!obj) throw CannotStart(fmt::format("cannot open {}: {}", what, std::strerror(errno)));
  *ops = bpf_object__find_map_by_name(obj.get(), s.ops_map.c_str());
  if (!*ops) throw CannotStart(fmt::format("{} has no struct_ops map {}: is it a build of {}?", what, s.ops_map, s.name));
  for (const auto& [var, value] : options.rodata) set_rodata(obj.get(), var, value);
  if (options.timeout_ms) set_ops_member(*ops, obj.get(), "timeout_ms", *options.timeout_ms);
  if (bpf_object__load(obj.get()) != 0) {
    const int err = errno;
    throw CannotStart(fmt::format("the kernel refused to load the BPF program ({}){}", std::strerror(err),
                                  err == EPERM ? ": run as root" : "; the verifier's log is above"));
  }
  return obj;
}

Link attach(bpf_map* ops) {
  Link link(bpf_map__attach_struct_ops(ops), &bpf_link__destroy);
  if (link) return link;
  const int err = errno;
  if (err == EBUSY || err == EEXIST) {
    const std::string other = read_sysfs("root/ops");
    throw CannotStart("another sched_ext scheduler is already running" + (other.empty() ? "" : " (ops " + other + ")"));
  }
  throw CannotStart(fmt::format("attaching the scheduler failed: {} (the kernel log says why: dmesg | tail)",
                                std::strerror(err)));
}

struct Counters {
  int map_fd;
  const std::vector<std::string>& names;

  std::string line() const {
    const int ncpus = libbpf_num_possible_cpus();
    std::vector<std::uint64_t> per_cpu(static_cast<std::size_t>(ncpus > 0 ? ncpus : 1));
    std::string out;
    for (std::uint32_t i = 0; i < names.size(); ++i) {
      std::uint64_t sum = 0;
      if (bpf_map_lookup_elem(map_fd, &i, per_cpu.data()) == 0) {
        for (auto v : per_cpu) sum += v;
      }
      out += fmt::format("{}{}={}", out.empty() ? "" : " ", names[i], sum);
    }
    return out;
  }
};

int on_exit_report(void* ctx, void* data, std::size_t size) {
  if (size >= sizeof(scxlab_exit_report)) {
    *static_cast<std::optional<scxlab_exit_report>*>(ctx) = *static_cast<const scxlab_exit_report*>(data);
  }
  return 0;
}

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

void watch(int epoll_fd, int fd) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
    throw std::runtime_error(fmt::format("epoll_ctl: {}", std::strerror(errno)));
  }
}

// Blocks until a stop signal arrives or the kernel's exit report lands in `exits` (then
// consumed: on_exit_report has stored it); prints the counters every `interval_s` seconds.
void serve(const Scheduler& s, ring_buffer* exits, const Counters& counters, unsigned interval_s) {
  const sigset_t signals = stop_signals();
  base::UniqueFd signal_fd(signalfd(-1, &signals, SFD_CLOEXEC));
  base::UniqueFd epoll_fd(epoll_create1(EPOLL_CLOEXEC));
  base::UniqueFd timer_fd(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC));
  if (signal_fd.get() < 0 || epoll_fd.get() < 0 || timer_fd.get() < 0) {
    throw std::runtime_error(fmt::format("signalfd/epoll/timerfd: {}", std::strerror(errno)));
  }
  watch(epoll_fd.get(), signal_fd.get());
  watch(epoll_fd.get(), ring_buffer__epoll_fd(exits));
  if (interval_s > 0) {
    const itimerspec every{{static_cast<time_t>(interval_s), 0}, {static_cast<time_t>(interval_s), 0}};
    timerfd_settime(timer_fd.get(), 0, &every, nullptr);
    watch(epoll_fd.get(), timer_fd.get());
  }
  for (;;) {
    epoll_event ev{};
    const int n = epoll_wait(epoll_fd.get(), &ev, 1, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(fmt::format("epoll_wait: {}", std::strerror(errno)));
    if (ev.data.fd == signal_fd.get()) return;
    if (ev.data.fd == timer_fd.get()) {
      std::uint64_t expirations = 0;
      if (read(timer_fd.get(), &expirations, sizeof expirations) > 0) {
        fmt::print("{}: {}\n", s.name, counters.line());
        std::fflush(stdout);
      }
      continue;
    }
    if (ring_buffer__consume(exits) > 0) return;
  }
}

// Prints the kernel's verdict as scx's C schedulers do and maps its kind to an exit status.
int report_exit(const std::optional<scxlab_exit_report>& report) {
  if (!report) {
    std::fprintf(stderr, "EXIT: unknown (the scheduler ended without an exit report)\n");
    return kExitEjectedWithError;
  }
  std::fprintf(stderr, "EXIT: %s", report->reason);
  if (report->msg[0] != '\0') std::fprintf(stderr, " (%s)", report->msg);
  std::fprintf(stderr, "\n");
  return report->kind >= SCXLAB_EXIT_KIND_ERROR ? kExitEjectedWithError : kExitClean;
}

}  // namespace

void add_common_options(CLI::App& app, RunOptions& options) {
  app.add_option("--stats", options.stats_interval_s, "Print the counters every N seconds (0: only at exit)")
      ->capture_default_str();
  app.add_flag("-v,--verbose", options.verbose, "Print libbpf's debug output (and the verifier log)");
  app.add_option("--bpf-object", options.object_file,
                 "Load this BPF object (another build of this scheduler) instead of the one built in")
      ->check(CLI::ExistingFile);
}

std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitClean : kExitUsage;
  }
}

int run(const Scheduler& s, const RunOptions& options) {
  g_verbose = options.verbose;
  libbpf_set_print(print_libbpf);
  // Blocked before anything else so a signal is never lost: serve() reads them from a signalfd.
  const sigset_t signals = stop_signals();
  sigprocmask(SIG_BLOCK, &signals, nullptr);
  try {
    check_kernel(s.name);
    bpf_map* ops = nullptr;
    Object obj = open_object(s, options, &ops);
    std::optional<scxlab_exit_report> report;
    RingBuffer exits(ring_buffer__new(bpf_object__find_map_fd_by_name(obj.get(), "exits"), on_exit_report,
                                      &report, nullptr),
                     &ring_buffer__free);
    if (!exits) throw CannotStart(fmt::format("ring buffer: {}", std::strerror(errno)));
    const Counters counters{bpf_object__find_map_fd_by_name(obj.get(), "counters"), s.counters};
    Link link = attach(ops);
    std::fprintf(stderr, "%s: serving (ops %s); SIGINT or SIGTERM to stop\n", s.name.c_str(), read_sysfs("root/ops").c_str());
    serve(s, exits.get(), counters, options.stats_interval_s);
    if (!report) {
      // Unregistering runs ops.exit synchronously; its report is then in the ring buffer.
      link.reset();
      ring_buffer__poll(exits.get(), 1000);
    }
    fmt::print("{}: {}\n", s.name, counters.line());
    std::fflush(stdout);
    return report_exit(report);
  } catch (const CannotStart& e) {
    std::fprintf(stderr, "%s: %s\n", s.name.c_str(), e.what());
    return kExitCannotStart;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", s.name.c_str(), e.what());
    return kExitEjectedWithError;
  }
}

}  // namespace scxlab::bpf::sched
