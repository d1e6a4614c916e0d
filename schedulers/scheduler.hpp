// Schedulers: manifests (what a scheduler is and which knobs it has) and backends (how to
// start, verify, watch, stop and restore it). The public face of the schedulers library.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "schedulers/journal.hpp"
#include "stats/metric.hpp"

namespace scxlab::schedulers {

// ---- manifests (schedulers/manifests/*.toml, plus user directories) ----

struct Knob {
  std::string name;        // "slice_max_us"
  std::string flag;        // "--slice-max-us", "-s", "<positional>"
  std::string type;        // "flag" | "bool_value" | "bool_eq" | "int" | "double" | "enum" | "string"
  std::string default_value;
  std::optional<double> min, max;        // hard range (enforced)
  std::optional<double> tune_min, tune_max;  // tuning range
  std::string scale;       // "linear" | "log"
  std::string unit;
  std::vector<std::string> choices;
  std::string group;       // mutually exclusive group, "" if none
  bool tune = false;       // worth searching
  std::string target;      // "args" (command line), "debugfs:<path>", "sysctl:<name>",
                           // "workload:<param>" (a task attribute the workload applies)
  std::string meaning;
};

struct Constraint {
  std::string expr;        // "slice_min_us <= pinned_slice_us", "pinned_slice_us <= slice_max_us"
};

struct Manifest {
  std::string name;        // "scx_lavd", "eevdf", "scxlab_vtime"
  std::string backend;     // "kernel" | "scx"
  std::string binary;      // executable name on PATH (scx backends)
  std::string ops_prefix;  // "lavd"
  int watchdog_timeout_ms = 30000;
  std::string stats_socket;  // "" if the scheduler serves no scx_stats
  std::vector<Knob> knobs;
  std::vector<Constraint> constraints;
  std::map<std::string, std::vector<std::string>> presets;  // "gaming" -> args
  std::string summary;
  std::string source_file;
};

// Loads every manifest from the built-in directory and extra ones (later ones override by
// name). Throws std::runtime_error naming the file and the problem.
std::vector<Manifest> load_manifests(const std::vector<std::string>& extra_dirs = {});
Manifest load_manifest_file(const std::string& path);

// ---- a configuration to run ----

struct Config {
  std::string scheduler;   // manifest name
  std::string label;       // unique display name in a run: "scx_lavd:gaming", "eevdf"
  std::string preset;      // "" or a manifest preset
  std::map<std::string, std::string> knobs;  // knob name -> textual value
  std::vector<std::string> extra_args;
};

// Parses "scx_lavd", "scx_lavd:gaming", "scx_lavd:--slice-max-us=3000,--performance".
Config parse_config(const std::string& spec, const std::vector<Manifest>& manifests);

// Command-line arguments for a configuration; throws on a knob out of range, an unknown
// knob, two members of one exclusive group, or a broken constraint (naming which).
std::vector<std::string> build_args(const Manifest& m, const Config& c);

// ---- backends ----

struct Health {
  bool serving = true;
  std::string state;   // sysfs state, "n/a" for the kernel default
  std::string reason;  // why it stopped serving (kernel log line, EXIT: line)
};

class Backend {
 public:
  virtual ~Backend() = default;
  // Starts the configuration and verifies it serves; throws StartError with the reason.
  virtual void start(const Config& config) = 0;
  virtual Health check() = 0;       // between and after trials: still serving?
  virtual void stop() = 0;          // back to the kernel default, verified; side effects restored
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
  std::optional<int> scx_timeout_ms;  // SCX_TIMEOUT_MS for tuning runs
};

std::unique_ptr<Backend> make_backend(const Manifest& m, Journal& journal, const BackendOptions& o);

// What the kernel offers: sched_ext present? its state and loaded ops; for doctor and planning.
struct SchedExtStatus {
  bool present = false;
  std::string state;       // "disabled", "enabled", ...
  std::string ops;         // loaded ops name or ""
  unsigned long long enable_seq = 0;
};
SchedExtStatus read_sched_ext_status();
std::string default_scheduler_name();  // "eevdf" on 6.6+, "cfs" before

}  // namespace scxlab::schedulers
