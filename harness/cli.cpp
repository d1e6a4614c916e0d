#include "harness/cli.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "harness/commands.hpp"
#include "harness/doctor.hpp"
#include "harness/errors.hpp"
#include "harness/shootout.hpp"
#include "harness/tune.hpp"
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
  cmd->add_option("--resume", o.resume_dir, "Continue an interrupted run in this directory")
      ->excludes("--out");
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
      "Exit codes: 0 done, 2 bad input or environment, 130 interrupted (resumable).");
}

// CLI11 reports a stray word as "a subcommand is required"; name it instead.
void reject_unknown_command(CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return;
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) names.push_back(sub->get_name());
  if (std::find(names.begin(), names.end(), argv[1]) != names.end()) return;
  throw UsageError(fmt::format("unknown command '{}'; commands are: {} (see: scxlab --help)", argv[1],
                               fmt::join(names, ", ")));
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
  cmd->add_option("--resume", o.resume_dir, "Continue an interrupted tune in this directory")->excludes("--out");
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
      "Exit codes: 0 done (whatever the verdict), 2 bad input or environment, 130 interrupted (resumable).");
  return cmd;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"scxlab: benchmark, compare and tune Linux CPU schedulers (sched_ext and the kernel default)"};
  app.require_subcommand(1);
  app.footer(
      "Start with 'scxlab doctor', then 'scxlab shootout'. Every command has --help.\n"
      "Exit codes: 0 success, 1 a finding (doctor: cannot run), 2 bad input or environment,\n"
      "130 interrupted. scxlab restores every scheduler and knob it changed on every exit path.\n");

  bool doctor_json = false;
  auto* doctor = app.add_subcommand("doctor", "Show what this host can do, each item probed");
  doctor->add_flag("--json", doctor_json, "Machine-readable output");

  ShootoutOptions shootout;
  std::string target_ci, budget, timeout, attach, cooldown, min_effect;
  add_shootout(app, shootout, target_ci, budget, timeout, attach, cooldown, min_effect);

  TuneOptions tune;
  std::string tune_budget, tune_timeout, tune_attach, tune_min_effect;
  auto* tune_cmd = add_tune(app, tune, tune_budget, tune_timeout, tune_attach, tune_min_effect);

  ListOptions list;
  auto* list_cmd = app.add_subcommand("list", "List schedulers, workloads, suites or metrics");
  list.what = "schedulers";  // `scxlab list` alone: what a new user wants first
  list_cmd->add_option("what", list.what, "schedulers | workloads | suites | metrics")
      ->capture_default_str()->check(CLI::IsMember({"schedulers", "workloads", "suites", "metrics"}));
  list_cmd->add_flag("--json", list.json, "Machine-readable output");
  list_cmd->add_option("--manifests", list.manifest_dirs, "Extra directory of scheduler manifests");

  HistoryOptions history;
  auto* history_cmd = app.add_subcommand("history", "List the runs found under a results directory");
  history_cmd->add_option("dirs", history.dirs, "Result directories or their parent (default: scxlab-results)");
  history_cmd->add_flag("--json", history.json, "Machine-readable output");

  ReportOptions report;
  auto* report_cmd = app.add_subcommand("report", "Print the table and rewrite report.html for a finished run");
  report_cmd->add_option("dir", report.dir, "The run's output directory")->required();
  report_cmd->add_flag("--json", report.json, "Print the analysis as JSON instead of the table");

  auto* restore_cmd = app.add_subcommand(
      "restore", "Undo what an interrupted scxlab left changed (scheduler, knobs), from its journal");

  try {
    reject_unknown_command(app, argc, argv);
    app.parse(argc, argv);
    if (doctor->parsed()) return doctor_command(doctor_json);
    if (list_cmd->parsed()) return list_command(list);
    if (history_cmd->parsed()) return history_command(history);
    if (report_cmd->parsed()) return report_command(report);
    if (restore_cmd->parsed()) return restore_command();
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
  } catch (const CLI::ParseError& e) {
    std::cerr << "scxlab: " << e.what() << " (see: scxlab --help, or scxlab <command> --help)\n";
    return kExitUsage;
  } catch (const UsageError& e) {
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
