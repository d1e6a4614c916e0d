#include "harness/cli.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/files.hpp"
#include "harness/baseline.hpp"
#include "harness/commands.hpp"
#include "harness/compare.hpp"
#include "harness/doctor.hpp"
#include "harness/errors.hpp"
#include "harness/fleet.hpp"
#include "harness/gate.hpp"
#include "harness/host.hpp"
#include "harness/noise.hpp"
#include "harness/shootout.hpp"
#include "harness/tune.hpp"
#include "harness/worker.hpp"
#include "metrics/collector.hpp"
#include "schedulers/scheduler.hpp"

namespace scxlab::harness {
namespace {

// "3%" or "0.03" -> 0.03. A bare number is a fraction, so "2" is refused rather than read as
// 2% (while "0.5" would be 50%): one spelling, one meaning.
double parse_fraction(const std::string& text, const std::string& option) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  const bool percent = used > 0 && text.substr(used) == "%";
  if (used == 0 || (used != text.size() && !percent) || !std::isfinite(v))
    throw UsageError(fmt::format("{} {}: expected a percentage such as 3% or a fraction such as 0.03", option, text));
  if (percent) v /= 100.0;
  else if (v >= 1)
    throw UsageError(fmt::format("{} {}: a bare number is a fraction (0.03 = 3%); write {}% or {}", option, text,
                                 text, v / 100.0));
  if (v <= 0 || v >= 1)
    throw UsageError(fmt::format("{} {}: must lie between 0% and 100%, both excluded", option, text));
  return v;
}

// "90s", "10m", "1h", "600" (seconds) -> seconds
double parse_duration(const std::string& text, const std::string& option) {
  try {
    std::size_t used = 0;
    const double v = std::stod(text, &used);
    const std::string unit = text.substr(used);
    const double scale = unit.empty() || unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : -1;
    if (scale < 0 || v <= 0) throw std::invalid_argument(text);
    return v * scale;
  } catch (const std::exception&) {
    throw UsageError(fmt::format("{} {}: expected a duration such as 90s, 10m or 1h", option, text));
  }
}

void add_shootout(CLI::App& app, ShootoutOptions& o, std::string& target_ci, std::string& budget,
                  std::string& timeout, std::string& attach, std::string& cooldown, std::string& min_effect) {
  auto* cmd = app.add_subcommand("shootout", "Compare schedulers on workloads, with honest statistics");
  cmd->add_option("-s,--schedulers", o.schedulers,
                  "Scheduler configurations, comma-separated: NAME[:PRESET|:ARGS][@LABEL]\n"
                  "(default: every scheduler this host can run; see 'scxlab list schedulers')")
      ->delimiter(',');
  cmd->add_option("--suite", o.suite, "Workload suite name or TOML file (see 'scxlab list suites')")
      ->capture_default_str();
  cmd->add_option("-w,--workload", o.workloads,
                  "A workload instead of the suite, repeatable: NAME[:key=value,...]\n"
                  "(see 'scxlab list workloads')");
  cmd->add_option("-n,--reps", o.reps, "Measured repetitions per scheduler and workload")
      ->capture_default_str()->check(CLI::Range(1, 1000));
  cmd->add_option("--warmup", o.warmup, "Warm-up rounds (run, recorded, not analysed)")
      ->capture_default_str()->check(CLI::Range(0, 100));
  cmd->add_option("--target-ci", target_ci,
                  "Keep adding interleaved rounds until every headline interval is within +-this (e.g. 3%)");
  cmd->add_option("--max-reps", o.max_reps, "Upper bound for --target-ci")->capture_default_str()
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--time-budget", budget, "Plan repetitions to fit this wall time (e.g. 10m); says what it dropped");
  cmd->add_option("--trial-timeout", timeout, "Stop a trial that runs longer than this (default 10m)");
  cmd->add_option("--attach-timeout", attach,
                  "How long a scheduler may take to start serving (default: its manifest's, usually 2m)");
  cmd->add_option("--cooldown", cooldown, "Pause between trials (e.g. 2s)");
  cmd->add_option("--seed", o.seed, "Seed of the interleaving order and the bootstrap (recorded)");
  cmd->add_option("--baseline", o.baseline, "Label every scheduler is compared with (default: the kernel default)");
  cmd->add_option("--min-effect", min_effect, "Smallest difference ever called (default 2%)");
  cmd->add_option("-o,--out", o.out_dir, "Output directory (default: scxlab-results/<date>-<host>-shootout)");
  cmd->add_option("--store", o.store, "Also record the finished run in this results store, for history and\n"
                  "baselines: a file, or postgresql://user@host/db shared by many hosts");
  cmd->add_option("--resume", o.resume_dir, "Continue an interrupted run in this directory")
      ->excludes("--out");
  cmd->add_option("--fleet", o.fleet, "Run the rounds on the workers of this hardware class ('auto': this\n"
                  "host's; see 'scxlab doctor'), through --store postgresql://...");
  cmd->add_option("--wait-s", o.wait_s, "With --fleet: give up after this long without a worker, or without the store")
      ->capture_default_str();
  cmd->add_flag("--json", o.json, "Print the analysis as JSON on stdout instead of the table");
  cmd->add_flag("-q,--quiet", o.quiet, "No progress output");
  cmd->add_flag("--no-bpf", o.no_bpf, "Do not load the BPF scheduler probes");
  cmd->add_option("--perf-events", o.perf_events, "Extra perf events by libpfm4 name, comma-separated")
      ->delimiter(',');
  cmd->add_flag("--take-over", o.take_over, "Stop scx.service/scx_loader for the run and start it again after");
  cmd->add_option("--manifests", o.manifest_dirs, "Extra directory of scheduler manifests (*.toml)");
  cmd->footer(
      "Examples:\n"
      "  scxlab shootout                                  every available scheduler, default suite\n"
      "  scxlab shootout -s eevdf,scx_lavd:gaming --suite desktop\n"
      "  scxlab shootout -w messaging:groups=4 -n 10 --target-ci 2%\n"
      "  scxlab shootout -s eevdf@A,eevdf@B -n 10         an A/A test: expect no differences\n"
      "  scxlab shootout --resume scxlab-results/20261124-101500-host-shootout\n"
      "  scxlab shootout -n 16 --store postgresql://scxlab@db/scxlab --fleet auto\n"
      "On a fleet, each round is one work item: a worker of the class (scxlab worker) runs the whole round,\n"
      "every scheduler on every workload in the round's shuffled order, and the rounds spread over the\n"
      "workers. Each scheduler is compared with the baseline within each host (van Elteren's test, the\n"
      "per-host ratios of medians averaged), so a faster host is not read as a faster scheduler. Warm-up\n"
      "rounds run on whichever worker takes them. The run is in the shared store and in --out.\n"
      "Exit codes: 0 done, 2 bad input or environment (no worker of the class within --wait-s included),\n"
      "130 interrupted (resumable), 70 a bug in scxlab.");
}

std::vector<std::string> command_names(CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) names.push_back(sub->get_name());
  return names;
}

void require_command(CLI::App& app, const std::string& name) {
  const auto names = command_names(app);
  if (std::find(names.begin(), names.end(), name) != names.end()) return;
  throw UsageError(fmt::format("unknown command '{}'; commands are: {} (see: scxlab --help)", name,
                               fmt::join(names, ", ")));
}

// CLI11 reports a stray word as "a subcommand is required"; name it instead.
void reject_unknown_command(CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return;
  require_command(app, argv[1]);
}

// `scxlab help [COMMAND]`: what --help prints. (App::help() would describe the help command
// itself, the one parsed.)
int help_command(CLI::App& app, const std::string& command) {
  const auto& formatter = *app.get_formatter();
  if (command.empty()) {
    std::cout << formatter.make_help(&app, app.get_name(), CLI::AppFormatMode::Normal);
    return kExitOk;
  }
  require_command(app, command);
  std::cout << formatter.make_help(app.get_subcommand(command), app.get_name() + " " + command,
                                   CLI::AppFormatMode::Normal);
  return kExitOk;
}

CLI::App* add_tune(CLI::App& app, TuneOptions& o, std::string& budget, std::string& timeout, std::string& attach,
                   std::string& min_effect) {
  auto* cmd = app.add_subcommand("tune", "Search a scheduler's knobs for one workload; recommend only what validates");
  cmd->add_option("-s,--scheduler", o.scheduler, "The scheduler whose knobs to tune (see 'scxlab list schedulers')");
  cmd->add_option("-w,--workload", o.workload, "The workload: NAME[:key=value,...] (see 'scxlab list workloads')")
      ->capture_default_str();
  cmd->add_option("--knobs", o.knobs, "Tune only these knobs, comma-separated (default: every tunable knob this host allows)")
      ->delimiter(',');
  cmd->add_option("--space", o.space_file, "Instead of a scheduler: a TOML space file of your own knobs (tuner/examples/)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--command", o.command,
                  "With --space: a shell command, {knob} replaced by values, whose last printed number is the objective");
  cmd->add_option("--minimize", o.minimize, "Metric to minimise (default: the workload's first headline metric)");
  cmd->add_option("--maximize", o.maximize, "Metric to maximise");
  cmd->add_option("--subject-to", o.subject_to,
                  "A bound that must hold, repeatable: \"fps.avg >= 0.97*baseline\" (baseline: the default's value)");
  cmd->add_option("-n,--budget", o.budget, "Evaluations, the default configuration included")->capture_default_str()
      ->check(CLI::Range(2, 10000));
  cmd->add_option("--time-budget", budget, "Stop proposing once evaluations took this long (e.g. 30m)");
  cmd->add_option("--validate-reps", o.validate_reps, "Runs per side of the final A/B validation against the default")
      ->capture_default_str()->check(CLI::Range(5, 1000));
  cmd->add_option("--min-effect", min_effect, "Smallest improvement ever recommended (default 2%)");
  cmd->add_option("--seed", o.seed, "Seed of the search and the validation order (recorded)");
  cmd->add_option("--trial-timeout", timeout, "Stop an evaluation that runs longer than this (default 10m)");
  cmd->add_option("--attach-timeout", attach,
                  "How long the scheduler may take to start serving (default: its manifest's, usually 2m)");
  cmd->add_option("-o,--out", o.out_dir, "Output directory (default: scxlab-results/<date>-<host>-tune)");
  cmd->add_option("--store", o.store, "Also record the finished run in this results store, for history and\n"
                  "baselines: a file, or postgresql://user@host/db shared by many hosts");
  cmd->add_option("--resume", o.resume_dir, "Continue an interrupted tune in this directory")->excludes("--out");
  cmd->add_option("--fleet", o.fleet, "Run the evaluations on the workers of this hardware class ('auto': this\n"
                  "host's; see 'scxlab doctor'), through --store postgresql://...");
  cmd->add_option("--parallel", o.parallel, "With --fleet: evaluations in flight at once (batch proposals)")
      ->capture_default_str();
  cmd->add_option("--wait-s", o.wait_s, "With --fleet: give up after this long without a worker, or without the store")
      ->capture_default_str();
  cmd->add_flag("--json", o.json, "Print the validation analysis as JSON instead of the table");
  cmd->add_flag("-q,--quiet", o.quiet, "No progress output");
  cmd->add_flag("--no-bpf", o.no_bpf, "Do not load the BPF probes");
  cmd->add_flag("--take-over", o.take_over, "Stop scx.service / scx_loader first and start it again at the end");
  cmd->add_option("--manifests", o.manifest_dirs, "Extra directory of scheduler manifests (*.toml)");
  cmd->footer(
      "Every evaluation is a trial like a shootout's (same lifecycle, metrics and store). The default\n"
      "configuration is evaluated first; a Gaussian-process model proposes the rest. The model's best\n"
      "configuration is then run against the default in interleaved A/B rounds, and recommended only when\n"
      "the objective is significantly better beyond --min-effect and every --subject-to bound holds.\n"
      "Writes results.db, report.html and recommendation.toml (knobs, command line, /etc/default/scx).\n"
      "Examples:\n"
      "  scxlab tune -s eevdf -w frames:duration_s=5 --knobs render_nice,render_slice_us,audio_policy\n"
      "  scxlab tune -s scx_lavd -w frames --minimize frame_time_ms.p99 --subject-to \"fps.avg >= 0.97*baseline\"\n"
      "  scxlab tune -s scx_rusty -w messaging --maximize messages_per_s -n 40 --time-budget 1h\n"
      "  scxlab tune --space tuner/examples/quadratic.toml --command './my-bench --x {x} --y {y}'\n"
      "  scxlab tune --resume scxlab-results/20261124-101500-host-tune\n"
      "  scxlab tune -s scx_lavd -w frames -n 64 --store postgresql://scxlab@db/scxlab --fleet auto --parallel 8\n"
      "On a fleet, each of the --parallel evaluations in flight runs on a worker of the class (scxlab worker);\n"
      "the model proposes each new one knowing those still running (Kriging believer), and each validation\n"
      "round's pair runs on one host, the A/B compared within each host. The run is in the shared store and\n"
      "in --out, as a local tune's.\n"
      "Exit codes: 0 done (whatever the verdict), 2 bad input or environment (no worker of the class\n"
      "within --wait-s included), 130 interrupted (resumable),\n"
      "70 a bug in scxlab.");
  return cmd;
}

CLI::App* add_worker(CLI::App& app, WorkerOptions& o) {
  auto* cmd = app.add_subcommand("worker", "Run a fleet's trials on this host: lease, run, report, repeat");
  cmd->add_option("--store", o.store, "The fleet's shared store: postgresql://user@host/db (no password: ~/.pgpass)")
      ->required();
  cmd->add_option("--class", o.hw_class, "Serve this hardware class ('auto': this host's, as 'scxlab doctor' prints)")
      ->capture_default_str();
  cmd->add_option("--state-dir", o.state_dir, "Its own restore journal and files (workers side by side on one host)");
  cmd->add_option("--lease-s", o.lease_s, "Seconds without a heartbeat after which its item goes to another worker")
      ->capture_default_str();
  cmd->add_option("--max-items", o.max_items, "Stop after this many items");
  cmd->add_option("--idle-exit-s", o.idle_exit_s, "Stop when no item came for this many seconds");
  cmd->add_flag("-q,--quiet", o.quiet, "No progress output");
  cmd->footer(
      "One worker per host is the normal case (deploy/systemd/scxlab-worker.service keeps it running): it owns\n"
      "the host's scheduler for each trial, as a shootout does, and restores the machine after each item.\n"
      "Workers side by side on one host (--state-dir each) only suit a command objective under the kernel's\n"
      "default scheduler (tune --space/--command): the lab's before/after check fails any trial during which\n"
      "another scheduler served. A killed worker's item goes to another worker once its lease expires; a\n"
      "lost store connection is retried (1 s, doubling to 30 s) and the finished item committed when it is back.\n"
      "Examples:\n"
      "  scxlab worker --store postgresql://scxlab@db.example/scxlab\n"
      "  scxlab worker --store postgresql://scxlab@127.0.0.1/scxlab --state-dir /tmp/w1 --idle-exit-s 60\n"
      "Exit codes: 0 stopped (--max-items, --idle-exit-s), 2 bad input or environment (an unreachable store,\n"
      "refused credentials), 130 interrupted (its item given back), 70 a bug in scxlab.");
  return cmd;
}

CLI::App* add_fleet(CLI::App& app, FleetStatusOptions& o) {
  auto* cmd = app.add_subcommand("fleet", "A fleet's workers, queues and ETA: scxlab fleet status --store URL");
  auto* status = cmd->add_subcommand("status", "Workers seen in the last hour, queue depth per class, ETA");
  cmd->require_subcommand(1);
  status->add_option("--store", o.store, "The fleet's shared store: postgresql://user@host/db")->required();
  status->add_flag("--json", o.json, "Machine-readable output");
  cmd->footer("ETA: the class's queued items x the median time of its finished items / its live workers.\n"
              "Exit codes: 0 done, 2 bad input or environment (an unreachable store), 70 a bug in scxlab.");
  return cmd;
}

// Options given as text and parsed after CLI11 (percentages, durations).
struct GateText {
  std::string threshold, timeout, attach, cooldown;
  CLI::Option* suite = nullptr;
  CLI::Option* workloads = nullptr;
};

constexpr const char* kGateExitCodes =
    "Exit codes: 0 pass (no regression beyond the threshold), 1 regression, 3 inconclusive (no regression shown,\n"
    "but some metric undecided at --max-reps: the job decides whether that fails), 2 bad input or environment\n"
    "(one line naming the problem and the fix; nothing written), 130 interrupted (resume with --resume DIR),\n"
    "70 a bug in scxlab (nothing else exits 70: report it with its message).";

CLI::App* add_gate(CLI::App& app, GateOptions& o, GateText& text) {
  auto* cmd = app.add_subcommand("gate", "Did a change make the scheduler worse? A verdict and an exit code for CI");
  cmd->add_option("--candidate", o.candidates,
                  "The change, repeatable: NAME=PATH (another build of scheduler NAME: a binary, a build directory,\n"
                  "or for scxlab's own schedulers a BPF object), or a configuration NAME[@LABEL][:knob=value,...]");
  cmd->add_option("--baseline", o.baseline,
                  "What it is compared with: NAME=PATH or a configuration (run in the same interleaved rounds),\n"
                  "a run directory, a results.json (an earlier job's artifact), or a NAME saved with 'scxlab baseline'");
  cmd->add_option("--baseline-label", o.baseline_label, "Which configuration of a stored baseline run (when it has several)");
  text.suite = cmd->add_option("--suite", o.suite, "Workload suite name or TOML file")->capture_default_str();
  text.workloads = cmd->add_option("-w,--workload", o.workloads, "A workload instead of the suite, repeatable: NAME[:key=value,...]");
  cmd->add_option("--metrics", o.metrics, "Gate these metrics, comma-separated (default: each workload's headline metrics)")
      ->delimiter(',');
  cmd->add_option("--threshold", text.threshold, "Smallest change called a regression or improvement (default 3%)");
  cmd->add_option("-n,--reps", o.reps, "Repetitions to start with (at least what the number of gated metrics needs)")
      ->capture_default_str()->check(CLI::Range(1, 1000));
  cmd->add_option("--max-reps", o.max_reps, "Add interleaved rounds while a gated metric is inconclusive, up to this (a regression beyond\n"
                  "doubt, Holm p <= 0.0005 within 10 repetitions, ends the gate early)")
      ->capture_default_str()->check(CLI::Range(1, 1000));
  cmd->add_option("--warmup", o.warmup, "Warm-up rounds (run, recorded, not analysed)")
      ->capture_default_str()->check(CLI::Range(0, 100));
  cmd->add_option("--trial-timeout", text.timeout, "Stop a trial that runs longer than this (default 10m)");
  cmd->add_option("--attach-timeout", text.attach, "How long a scheduler may take to start serving (default: its manifest's)");
  cmd->add_option("--cooldown", text.cooldown, "Pause between trials (e.g. 2s)");
  cmd->add_option("--seed", o.seed, "Seed of the interleaving order and the bootstrap (recorded)");
  cmd->add_option("--store", o.store, "The results store: history and saved baselines; a file, or a PostgreSQL\n"
                  "database shared by many hosts (postgresql://user@host/db)")->capture_default_str();
  cmd->add_option("--fleet", o.fleet, "Run the rounds on the workers of this hardware class ('auto': this\n"
                  "host's; see 'scxlab doctor'), through --store postgresql://...");
  cmd->add_option("--wait-s", o.wait_s, "With --fleet: give up after this long without a worker, or without the store")
      ->capture_default_str();
  cmd->add_flag("--no-record", o.no_record, "Do not add this gate's run to the results store");
  cmd->add_flag("--allow-other-host", o.allow_other_host, "Compare with a stored baseline from another host or kernel");
  cmd->add_option("-o,--out", o.out_dir, "Output directory (default: scxlab-results/<date>-<host>-gate)");
  cmd->add_option("--resume", o.resume_dir, "Continue an interrupted gate in this directory")->excludes("--out");
  cmd->add_flag("--json", o.json, "Print gate.json on stdout instead of the tables");
  cmd->add_flag("-q,--quiet", o.quiet, "No progress output");
  cmd->add_flag("--no-bpf", o.no_bpf, "Do not load the BPF scheduler probes");
  cmd->add_flag("--take-over", o.take_over, "Stop scx.service/scx_loader for the run and start it again after");
  cmd->add_option("--manifests", o.manifest_dirs, "Extra directory of scheduler manifests (*.toml)");
  cmd->footer(fmt::format(
      "Writes into --out: results.db/.json/.csv, gate.json, junit.xml (one test case per metric and candidate),\n"
      "summary.md (for a CI step summary) and report.html (the verdict on top), and adds the run to --store.\n"
      "Examples:\n"
      "  scxlab gate --candidate scx_lavd=./target/release/scx_lavd --baseline scx_lavd=/usr/bin/scx_lavd\n"
      "  scxlab gate --candidate 'scx_lavd:slice_max_us=3000' --baseline scx_lavd --threshold 5%\n"
      "  scxlab gate --candidate scx_lavd=./build/scx_lavd --baseline main      (saved with scxlab baseline save)\n"
      "  scxlab gate --candidate scx_lavd=./build/scx_lavd --baseline main-job/results.json\n"
      "  scxlab gate --candidate scx_lavd=/srv/ci/scx_lavd --baseline scx_lavd --store postgresql://ci@db/scxlab --fleet auto\n"
      "On a fleet each round is one work item that a worker of the class (scxlab worker) runs whole; a\n"
      "candidate's binary must be at its path on every worker. The gated metrics are compared within each\n"
      "host (van Elteren's test), so hosts of unequal speed add no noise to the verdict.\n"
      "{}",
      kGateExitCodes));
  return cmd;
}

CLI::App* add_baseline(CLI::App& app, BaselineOptions& o) {
  auto* cmd = app.add_subcommand("baseline", "Save a finished run as a named baseline for later gates, or list them");
  cmd->add_option("action", o.action, "save | list")->required()->check(CLI::IsMember({"save", "list"}));
  cmd->add_option("name", o.name, "The baseline's name (save)");
  cmd->add_option("run", o.run, "A run directory or its results.json (save)");
  cmd->add_option("--label", o.label, "The configuration of the run that is the baseline (when it has several)");
  cmd->add_option("--store", o.store, "The results store: a file, or postgresql://user@host/db")->capture_default_str();
  cmd->add_flag("--json", o.json, "Machine-readable output (list)");
  cmd->footer("Examples:\n"
              "  scxlab baseline save main scxlab-results/20261124-101500-host-gate\n"
              "  scxlab baseline list\n"
              "Exit codes: 0 done, 2 bad input or environment, 70 a bug in scxlab.");
  return cmd;
}

CLI::App* add_noise(CLI::App& app, NoiseOptions& o, std::string& threshold) {
  auto* cmd = app.add_subcommand("noise", "Measure this runner's noise on the gate's workloads (A/A), and what a gate can detect");
  cmd->add_option("-s,--scheduler", o.scheduler, "The configuration run as A and B (default: the kernel default)");
  cmd->add_option("--suite", o.suite, "Workload suite name or TOML file")->capture_default_str();
  cmd->add_option("-w,--workload", o.workloads, "A workload instead of the suite, repeatable");
  cmd->add_option("--metrics", o.metrics, "As the gate's --metrics")->delimiter(',');
  cmd->add_option("-n,--reps", o.reps, "Interleaved A/A repetitions")->capture_default_str()->check(CLI::Range(2, 1000));
  cmd->add_option("--warmup", o.warmup, "Warm-up rounds")->capture_default_str()->check(CLI::Range(0, 100));
  cmd->add_option("--threshold", threshold, "The gate's threshold (default 3%)");
  cmd->add_option("--seed", o.seed, "Seed of the interleaving order and the bootstrap");
  cmd->add_option("-o,--out", o.out_dir, "Output directory (default: scxlab-results/<date>-<host>-noise)");
  cmd->add_flag("--json", o.json, "Print noise.json on stdout instead of the table");
  cmd->add_flag("-q,--quiet", o.quiet, "No progress output");
  cmd->add_flag("--no-bpf", o.no_bpf, "Do not load the BPF scheduler probes");
  cmd->add_flag("--take-over", o.take_over, "Stop scx.service/scx_loader for the run and start it again after");
  cmd->add_option("--manifests", o.manifest_dirs, "Extra directory of scheduler manifests (*.toml)");
  cmd->footer("Example: scxlab noise -n 10      then trust the gate for changes above the 10-20 repetition columns\n"
              "Exit codes: 0 done, 2 bad input or environment, 130 interrupted, 70 a bug in scxlab.");
  return cmd;
}

CLI::App* add_compare(CLI::App& app, CompareOptions& o, std::string& min_effect) {
  auto* cmd = app.add_subcommand("compare", "Compare the same schedulers and workloads across two finished runs (B against A)");
  cmd->add_option("run_a", o.run_a, "The baseline run: a run directory or its results.json")->required();
  cmd->add_option("run_b", o.run_b, "The run compared with it: a run directory or its results.json")->required();
  cmd->add_option("-o,--out", o.html, "Write the HTML report (both runs' repetitions, the calls on top) to this file");
  cmd->add_option("--json", o.json, "Write the comparison as JSON to this file ('-': stdout, instead of the table)");
  cmd->add_option("--min-effect", min_effect, "Smallest change called better or worse (default: run A's, e.g. 2%)");
  cmd->footer("Each scheduler's cells are compared side to side: 'scx_lavd @B' against 'scx_lavd @A', with a\n"
              "shootout's statistics. The runs were not interleaved in time, so drift between them (thermal state,\n"
              "firmware, background load, another kernel) is not in the intervals: the output says so, naming\n"
              "both runs' host, kernel and date. Cells only one run has are listed, not dropped.\n"
              "Example (before and after a kernel upgrade):\n"
              "  scxlab compare scxlab-results/20261124-101500-host-shootout scxlab-results/20261201-093000-host-shootout "
              "-o compare.html\n"
              "Exit codes: 0 done, 2 bad input (a path that is not a run: the message names it), 70 a bug in scxlab.");
  return cmd;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"scxlab: benchmark, compare and tune Linux CPU schedulers (sched_ext and the kernel default)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "scxlab " + scxlab_version(), "Print the version and the commit scxlab was built from");
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Show libbpf's log while the BPF probes load (a verifier's refusal in full)");
  app.fallthrough();  // -v after the command name too: 'scxlab shootout -v'
  app.footer(
      "Start with 'scxlab doctor', then 'scxlab shootout'. Every command has --help.\n"
      "Exit codes: 0 success, 1 a finding (doctor: cannot run; gate: a regression), 2 bad input or\n"
      "environment, 3 gate inconclusive, 130 interrupted, 70 a bug in scxlab (report it with its message).\n"
      "scxlab restores every scheduler and knob it changed on every exit path.\n");

  bool doctor_json = false;
  auto* doctor = app.add_subcommand("doctor", "Show what this host can do, each item probed");
  doctor->add_flag("--json", doctor_json, "Machine-readable output");
  doctor->footer("Exit codes: 0 a shootout can run here, 1 it cannot (each failed check says why), 70 a bug in scxlab.");

  ShootoutOptions shootout;
  std::string target_ci, budget, timeout, attach, cooldown, min_effect;
  add_shootout(app, shootout, target_ci, budget, timeout, attach, cooldown, min_effect);

  TuneOptions tune;
  std::string tune_budget, tune_timeout, tune_attach, tune_min_effect;
  auto* tune_cmd = add_tune(app, tune, tune_budget, tune_timeout, tune_attach, tune_min_effect);

  WorkerOptions worker;
  auto* worker_cmd = add_worker(app, worker);
  FleetStatusOptions fleet;
  auto* fleet_cmd = add_fleet(app, fleet);

  ListOptions list;
  auto* list_cmd = app.add_subcommand("list", "List schedulers, workloads, suites or metrics");
  list.what = "schedulers";  // `scxlab list` alone: what a new user wants first
  list_cmd->add_option("what", list.what, "schedulers | workloads | suites | metrics")
      ->capture_default_str()->check(CLI::IsMember({"schedulers", "workloads", "suites", "metrics"}));
  list_cmd->add_flag("--json", list.json, "Machine-readable output");
  list_cmd->add_option("--manifests", list.manifest_dirs, "Extra directory of scheduler manifests");
  list_cmd->footer("Exit codes: 0 done, 2 bad input (a broken manifest names its file and line), 70 a bug in scxlab.");

  HistoryOptions history;
  auto* history_cmd = app.add_subcommand(
      "history", "List the runs under a results directory, or a metric's series over the results store");
  history_cmd->add_option("dirs", history.dirs, "Result directories or their parent (default: scxlab-results)");
  history_cmd->add_flag("--json", history.json, "Machine-readable output");
  history_cmd->add_option("--metric", history.metric, "Print this metric over the runs of the results store");
  history_cmd->add_option("--scheduler", history.scheduler, "Only this configuration label (with --metric)");
  history_cmd->add_option("--workload", history.workload, "Only this workload entry (with --metric)");
  history_cmd->add_flag("--changes", history.changes, "Mark change points: where the metric shifted, by how much, which run");
  history_cmd->add_option("--max-p", history.max_p, "Change points: p-value threshold of the windowed t-test")
      ->capture_default_str();
  history_cmd->add_option("--store", history.store,
                          fmt::format("The results store: a file (default {}) or postgresql://user@host/db", kDefaultStore));
  history_cmd->footer("Examples:\n"
                      "  scxlab history                                  runs under scxlab-results/\n"
                      "  scxlab history --metric time_s --workload messaging --changes\n"
                      "Exit codes: 0 done, 2 bad input or environment, 70 a bug in scxlab.");

  GateOptions gate;
  GateText gate_text;
  auto* gate_cmd = add_gate(app, gate, gate_text);
  BaselineOptions baseline;
  auto* baseline_cmd = add_baseline(app, baseline);
  NoiseOptions noise;
  std::string noise_threshold;
  auto* noise_cmd = add_noise(app, noise, noise_threshold);

  CompareOptions compare;
  std::string compare_min_effect;
  auto* compare_cmd = add_compare(app, compare, compare_min_effect);

  ReportOptions report;
  auto* report_cmd = app.add_subcommand("report", "Print the table and rewrite report.html for a finished run");
  report_cmd->add_option("dir", report.dir, "The run's output directory")->required();
  report_cmd->add_flag("--json", report.json, "Print the analysis as JSON instead of the table");
  report_cmd->footer("Exit codes: 0 done, 2 bad input (not a finished run's directory), 70 a bug in scxlab.");

  auto* restore_cmd = app.add_subcommand(
      "restore", "Undo what an interrupted scxlab left changed (scheduler, knobs), from its journal");
  restore_cmd->footer("Exit codes: 0 restored or nothing to restore, 2 environment (not root, another run active),\n"
                      "70 a bug in scxlab.");

  std::string help_topic;
  auto* help_cmd = app.add_subcommand("help", "Show the help of scxlab or of one command (as --help does)");
  help_cmd->add_option("command", help_topic, "The command to explain");

  try {
    reject_unknown_command(app, argc, argv);
    app.parse(argc, argv);
    metrics::show_libbpf_log(verbose);
    if (help_cmd->parsed()) return help_command(app, help_topic);
    if (doctor->parsed()) return doctor_command(doctor_json);
    if (list_cmd->parsed()) return list_command(list);
    if (history_cmd->parsed()) return history_command(history);
    if (report_cmd->parsed()) return report_command(report);
    if (compare_cmd->parsed()) {
      if (!compare_min_effect.empty()) compare.min_effect = parse_fraction(compare_min_effect, "--min-effect");
      return compare_command(compare);
    }
    if (restore_cmd->parsed()) return restore_command();
    if (worker_cmd->parsed()) return worker_command(worker);
    if (fleet_cmd->parsed()) return fleet_status_command(fleet);
    if (baseline_cmd->parsed()) {
      if (baseline.action == "save" && (baseline.name.empty() || baseline.run.empty())) {
        throw UsageError("baseline save needs a NAME and a RUN: scxlab baseline save main scxlab-results/<run-dir>");
      }
      return baseline_command(baseline);
    }
    if (noise_cmd->parsed()) {
      if (!noise_threshold.empty()) noise.threshold = parse_fraction(noise_threshold, "--threshold");
      return noise_command(noise);
    }
    if (gate_cmd->parsed()) {
      if (!gate_text.threshold.empty()) gate.threshold = parse_fraction(gate_text.threshold, "--threshold");
      if (!gate_text.timeout.empty()) gate.trial_timeout_s = parse_duration(gate_text.timeout, "--trial-timeout");
      if (!gate_text.attach.empty()) gate.attach_timeout_s = parse_duration(gate_text.attach, "--attach-timeout");
      if (!gate_text.cooldown.empty()) gate.cooldown_s = parse_duration(gate_text.cooldown, "--cooldown");
      gate.workloads_chosen = gate_text.suite->count() + gate_text.workloads->count() > 0;
      return gate_command(gate);
    }
    if (tune_cmd->parsed()) {
      if (!tune_budget.empty()) tune.time_budget_s = parse_duration(tune_budget, "--time-budget");
      if (!tune_timeout.empty()) tune.trial_timeout_s = parse_duration(tune_timeout, "--trial-timeout");
      if (!tune_attach.empty()) tune.attach_timeout_s = parse_duration(tune_attach, "--attach-timeout");
      if (!tune_min_effect.empty()) tune.min_effect = parse_fraction(tune_min_effect, "--min-effect");
      return tune_command(tune);
    }
    if (!target_ci.empty()) shootout.target_ci = parse_fraction(target_ci, "--target-ci");
    if (!budget.empty()) shootout.time_budget_s = parse_duration(budget, "--time-budget");
    if (!timeout.empty()) shootout.trial_timeout_s = parse_duration(timeout, "--trial-timeout");
    if (!attach.empty()) shootout.attach_timeout_s = parse_duration(attach, "--attach-timeout");
    if (!cooldown.empty()) shootout.cooldown_s = parse_duration(cooldown, "--cooldown");
    if (!min_effect.empty()) shootout.min_effect = parse_fraction(min_effect, "--min-effect");
    return shootout_command(shootout);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "scxlab: " << e.what() << " (see: scxlab --help, or scxlab <command> --help)\n";
    return kExitUsage;
  } catch (const UsageError& e) {
    std::cerr << "scxlab: " << e.what() << "\n";
    return kExitUsage;
  } catch (const base::FileError& e) {  // an output that cannot be written: the disk, a directory
    std::cerr << "scxlab: " << e.what() << "\n";
    return kExitUsage;
  } catch (const schedulers::ManifestError& e) {
    std::cerr << "scxlab: " << e.what() << " (fix that manifest, or move it out of the manifest directory)\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "scxlab: internal error: " << e.what() << "\n";
    return kExitInternal;
  }
}

}  // namespace scxlab::harness
