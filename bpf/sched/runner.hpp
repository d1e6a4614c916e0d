// The user-space half shared by scxlab's sched_ext schedulers (scxlab_fifo, scxlab_vtime,
// scxlab_faulty): load the embedded BPF object with the knob values, attach its struct_ops
// map, serve until SIGINT/SIGTERM or until the kernel ejects the scheduler, then report why
// it ended the way scx's C schedulers do (`EXIT: <reason> (<message>)` on stderr).
//
// Exit status of the binaries:
//   0  ended cleanly (SIGINT/SIGTERM, or the kernel unregistered it without an error)
//   1  the kernel ejected it with an error (exit kind >= SCX_EXIT_ERROR: runtime error,
//      scx_bpf_error, runnable task stall)
//   2  bad command line
//   3  could not start: no sched_ext in this kernel, another scheduler is loaded, the
//      verifier refused the program, no permission
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bpf/embedded.hpp"

namespace CLI {
class App;
}

namespace scxlab::bpf::sched {

inline constexpr int kExitClean = 0;
inline constexpr int kExitEjectedWithError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitCannotStart = 3;

// Turns a counter list of sched_common.h into names: {SCXLAB_FIFO_COUNTERS(SCXLAB_COUNTER_NAME)}.
#define SCXLAB_COUNTER_NAME(name) #name,

struct Scheduler {
  std::string name;                   // binary and ops name: "scxlab_vtime"
  Embedded object;                    // the compiled BPF object
  std::string ops_map;                // the SEC(".struct_ops.link") variable: "vtime_ops"
  std::vector<std::string> counters;  // names of the `counters` map entries, in index order
};

struct RunOptions {
  // `const volatile` globals of the BPF program, by name, set before load.
  std::vector<std::pair<std::string, std::uint64_t>> rodata;
  std::optional<std::uint32_t> timeout_ms;  // ops.timeout_ms (the watchdog), if set
  unsigned stats_interval_s = 0;            // print the counters every N s (0: only at exit)
  bool verbose = false;                     // libbpf debug output
  std::string object_file;                  // another build's BPF object instead of the embedded one
};

// Adds --stats, --verbose and --bpf-object to a scheduler's command line.
void add_common_options(CLI::App& app, RunOptions& options);

// Parses the command line: an exit status to end with now (0 after --help, 2 for a bad
// argument, with the message printed), or nullopt to go on.
std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv);

// Loads, attaches and serves; returns the process exit status (see above).
int run(const Scheduler& scheduler, const RunOptions& options);

}  // namespace scxlab::bpf::sched
