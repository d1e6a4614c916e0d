// Schedulers: manifests (what a scheduler is and which knobs it has) and backends (how to
// start, verify, watch, stop and restore it). The public face of the schedulers library.
//
// Manifest format: schedulers/manifests/README.md. Built-in manifests are compiled into the
// binary; manifests in /etc/scxlab/schedulers, $XDG_CONFIG_HOME/scxlab/schedulers (else
// ~/.config/scxlab/schedulers) and the directories a caller names add to or replace them
// by name, so a user can add a scheduler without rebuilding.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "schedulers/journal.hpp"
#include "stats/metric.hpp"

namespace scxlab::schedulers {

// ---- manifests ----

// A knob's value form, parsed once from the manifest's `type` word (in parentheses):
// a presence-only flag (flag), a flag taking true/false as its value (bool_value) or after '='
// (bool_eq), a whole number (int), a number (double), one of `choices` (enum), free text (string).
enum class KnobKind { flag, bool_value, bool_eq, integer, real, choice, string };
std::string_view to_string(KnobKind kind);  // the manifest's word: "flag", "int", "enum", ...
bool is_boolean(KnobKind kind);             // flag, bool_value, bool_eq
bool is_numeric(KnobKind kind);             // int, double

// How a scheduler is made to serve: the kernel's own (fair) scheduler, or a sched_ext
// scheduler process (manifest word "kernel" or "scx").
enum class BackendKind { kernel, scx };
std::string_view to_string(BackendKind kind);

struct Knob {
  std::string name;        // "slice_max_us"
  std::string flag;        // "--slice-max-us", "-s", "<positional>"; "" unless target is "args"
  std::string short_flag;  // "-s" when the long flag also has a short form, else ""
  KnobKind type = KnobKind::string;
  std::string default_value;              // textual; "" = none (the option is simply absent)
  std::optional<double> min, max;         // hard range (enforced)
  std::optional<double> tune_min, tune_max;  // tuning range (a search space, not enforced)
  std::string scale;       // "linear" | "log" (log: positive tuning range spanning decades)
  std::string unit;
  std::vector<std::string> choices;       // "enum" only
  std::string group;       // mutually exclusive group, "" if none
  bool repeat = false;     // string knob of an option given once per item (clap's list options);
                           // its value is the items separated by spaces
  bool tune = false;       // worth searching
  std::string target;      // "args" (command line), "debugfs:<path under the debugfs mount>",
                           // "sysctl:<dotted.name>", "workload:<param>" (a task attribute the
                           // workload applies itself)
  std::string meaning;
};

struct Constraint {
  std::string expr;        // "pinned_slice_us == 0 || slice_min_us <= pinned_slice_us <= slice_max_us"
  std::string help;        // why it must hold and how to fix it, for the error message
};

struct Manifest {
  std::string name;        // "scx_lavd", "eevdf", "scxlab_vtime"
  BackendKind backend = BackendKind::scx;
  std::string origin;      // "scx" (sched-ext/scx), "kernel-tools" (tools/sched_ext), "scxlab"
                           // (bpf/sched: looked up in the build directory too), "kernel"
  std::string binary;      // executable name on PATH (scx backends)
  std::string ops_prefix;  // "lavd": the loaded ops name starts with it
  int watchdog_timeout_ms = 30000;
  // How long its start may take until it serves: loading runs the verifier over its BPF
  // programs, which takes scx_lavd about 20 s on an emulated machine. Generous: a slow machine
  // must not fail a healthy scheduler, and a scheduler that exits fails at once anyway.
  int attach_timeout_s = 120;
  std::string stats_socket;  // "" if the scheduler serves no scx_stats
  bool default_shootout = true;  // false: only when asked for by name (test-only schedulers)
  std::vector<Knob> knobs;
  std::vector<Constraint> constraints;
  std::map<std::string, std::vector<std::string>> presets;  // "gaming" -> args (scx_loader modes)
  std::string summary;
  std::string source_file;   // where it was loaded from ("builtin:scx_lavd.toml" or a path)

  const Knob* find_knob(const std::string& knob_name) const;  // nullptr if none
};

// A manifest that cannot be used: a user's input (a file in a manifest directory), so the
// message names the file, the line where known, and the problem.
struct ManifestError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Loads the built-in manifests, then the user directories, then `extra_dirs` (a later one
// replaces an earlier one of the same name). Throws ManifestError.
std::vector<Manifest> load_manifests(const std::vector<std::string>& extra_dirs = {});
Manifest load_manifest_file(const std::string& path);
std::vector<std::string> user_manifest_dirs();  // the user directories, in load order

// ---- a configuration to run ----

struct Config {
  std::string scheduler;   // manifest name
  std::string label;       // unique display name in a run: "scx_lavd:gaming", "eevdf"
  std::string preset;      // "" or a manifest preset
  std::map<std::string, std::string> knobs;  // knob name -> textual value
  std::vector<std::string> extra_args;       // passed through verbatim after the knobs' args
  std::string binary{};    // "" = the manifest's binary (find_binary); else an absolute path:
                           // an executable, a build directory holding the manifest's binary,
                           // or, for scxlab's own schedulers, a BPF object (resolve_binary)
};

// Parses "scx_lavd", "scx_lavd:gaming", "scx_lavd:--slice-max-us=3000,--performance",
// "scx_lavd:gaming,slice_max_us=3000" and "scx_lavd:--performance,--,--raw-arg": after the
// scheduler name, comma-separated items are a preset name, a knob as name=value, a knob by
// its flag (--flag=value, --flag value, -s value, --bool-flag), "binary=PATH" (another build
// to run: made absolute and checked now, see resolve_binary), or after "--" arguments
// passed through unchecked. The label is the spec. Throws std::invalid_argument naming the
// bad item and the fix.
Config parse_config(const std::string& spec, const std::vector<Manifest>& manifests);

// Knob values from a scheduler's own command-line arguments (the inverse of build_args).
std::map<std::string, std::string> parse_args(const Manifest& m, const std::vector<std::string>& args);

// The knob values a configuration runs with: the preset's, overridden by the config's,
// each checked (type, hard range, choices), the exclusive groups and the constraints
// (defaults fill knobs the configuration does not set). Throws std::invalid_argument
// naming the knob and the fix.
std::map<std::string, std::string> effective_knobs(const Manifest& m, const Config& c);

// Command-line arguments for a configuration (the "args" knobs of effective_knobs, in
// manifest order, then extra_args); throws like effective_knobs.
std::vector<std::string> build_args(const Manifest& m, const Config& c);

// ---- backends ----

struct Health {
  bool serving = true;
  std::string state;   // sysfs state, "n/a" for the kernel default
  std::string reason;  // why it stopped serving (kernel log line, EXIT: line, exit status)
  bool displaced = false;  // not a failure of this scheduler: another one served instead
};

class Backend {
 public:
  virtual ~Backend() = default;
  // Starts the configuration and verifies it serves; throws StartError with the reason.
  virtual void start(const Config& config) = 0;
  virtual Health check() = 0;       // between and after trials: still serving?
  // Back to the kernel default, verified; side effects restored; never throws. Returns one
  // line per thing the user should know (an escalation to SIGKILL or SysRq-S, a restore
  // that failed); empty when the stop was clean.
  virtual std::vector<std::string> stop() = 0;
  virtual std::string name() const = 0;     // "eevdf", "cfs", "scx_lavd"
  virtual std::string version() const = 0;
  // Knob values the workload must apply to its own tasks (per-role slice/nice/policy).
  virtual std::map<std::string, std::string> workload_params(const Config& config) const = 0;
  virtual std::vector<Unavailable> unavailable_knobs() const = 0;
};

struct StartError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct BackendOptions {
  bool take_over = false;             // stop scx.service / scx_loader first, restart at the end
  std::optional<std::chrono::seconds> attach_timeout;  // overrides the manifest's attach_timeout_s
  // Called about once a second while a start waits for the scheduler to attach, with what it
  // waits for and for how long so far ("waiting for scx_lavd to attach", 14).
  std::function<void(const std::string& what, int seconds)> on_wait;
  std::optional<int> scx_timeout_ms;  // SCX_TIMEOUT_MS for tuning runs (read by scx_utils-based
                                      // schedulers; the C examples ignore it)
  bool via_scx_loader = false;        // start scx schedulers through scx_loader's DBus interface
};

std::unique_ptr<Backend> make_backend(const Manifest& m, Journal& journal, const BackendOptions& o);

// A BPF scheduler or scheduler manager that scxlab did not start is in the way; what() is one
// line naming it, its process when known, and how to stop it.
struct ForeignScheduler : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Before a run changes anything: no BPF scheduler that scxlab did not start may be loaded and
// no scheduler manager (scx.service, scx_loader) may be active, or a trial could be measured
// under a scheduler other than the one it is named for. With o.take_over the managers that
// are systemd units are stopped (journaled first: the journal's replay starts them again) and
// their scheduler awaited. Throws ForeignScheduler; does nothing on a kernel without sched_ext.
void claim_sched_ext(Journal& journal, const BackendOptions& o);

// What claim_sched_ext would refuse for a BPF scheduler loaded now (one line: the ops, its
// process, how to stop it); "" when none is loaded or the kernel has no sched_ext. For doctor.
std::string loaded_scheduler_problem();

// What the kernel offers: sched_ext present? its state and loaded ops; for doctor and planning.
struct SchedExtStatus {
  bool present = false;
  std::string state;       // "disabled", "enabled", ...
  std::string ops;         // loaded ops name or ""
  unsigned long long enable_seq = 0;
};
SchedExtStatus read_sched_ext_status();
std::string default_scheduler_name();  // "eevdf" on 6.6+, "cfs" before

// ---- `scxlab list schedulers` ----

struct ListRow {
  Manifest manifest;
  bool installed = false;   // binary found (always true for the kernel default)
  std::string binary_path;  // where, "" if not found
  bool runnable = false;    // installed and this kernel can run it
  std::string reason;       // why not runnable, "" if runnable
};
std::vector<ListRow> list_schedulers(const std::vector<Manifest>& manifests);

// Where a scheduler's binary is: PATH, and for scxlab's own also the directory of the
// running executable, its parent, and this build's directory. "" if not found.
std::string find_binary(const Manifest& m);

// What to execute for a Config's `binary`: the file itself when executable; the manifest's
// binary inside it when it is a directory (a build tree); for scxlab's own schedulers a BPF
// object (ELF for the BPF machine) is loaded by the installed runner with --bpf-object.
// Throws std::invalid_argument naming the path, what is wrong and the fix (missing, not
// executable, a kernel scheduler, a BPF object for a scheduler that cannot load one).
struct Executable {
  std::string path;
  std::vector<std::string> args;  // before the configuration's own arguments
};
Executable resolve_binary(const Manifest& m, const std::string& binary);

}  // namespace scxlab::schedulers
