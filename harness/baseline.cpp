#include "harness/baseline.hpp"

#include <filesystem>
#include <iostream>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "harness/errors.hpp"
#include "harness/host.hpp"
#include "harness/lab.hpp"
#include "harness/results.hpp"

namespace scxlab::harness {
namespace fs = std::filesystem;
namespace {

// The fingerprint fields two runs must share to be compared.
constexpr const char* kComparable[] = {"hostname", "kernel", "arch", "cpu_model", "topology", "memory_mib",
                                       "virtualized", "governor"};

std::vector<std::string> labels_of(const store::StoredRun& run) {
  std::vector<std::string> labels;
  for (const auto& t : run.trials) {
    if (std::find(labels.begin(), labels.end(), t.scheduler) == labels.end()) labels.push_back(t.scheduler);
  }
  return labels;
}

// The configuration of the run that is the baseline: the one asked for, the only one, or a
// gate's (first) candidate: the build a CI job on the main branch measured.
std::string choose_label(const store::StoredRun& run, const std::string& wanted, const std::string& what) {
  const auto labels = labels_of(run);
  if (labels.empty()) throw UsageError(fmt::format("{} holds no trials to compare with: give a finished run", what));
  if (!wanted.empty()) {
    if (std::find(labels.begin(), labels.end(), wanted) != labels.end()) return wanted;
    throw UsageError(fmt::format("{} has no configuration '{}' (it has: {}): fix --baseline-label", what, wanted,
                                 fmt::join(labels, ", ")));
  }
  if (labels.size() == 1) return labels[0];
  const auto candidates = run.run.plan.value("candidates", nlohmann::json::array());
  if (run.run.kind == "gate" && !candidates.empty()) return candidates[0].get<std::string>();
  throw UsageError(fmt::format("{} holds {} configurations ({}): choose the baseline with --baseline-label", what,
                               labels.size(), fmt::join(labels, ", ")));
}

store::StoredRun latest_stored_run(const std::string& dir) {
  const auto db = open_results_db((fs::path(dir) / "results.db").string());
  const auto runs = db.runs();
  if (runs.empty()) throw UsageError(fmt::format("{}/results.db holds no run: give the directory of a finished run", dir));
  return {runs.back(), db.trials(runs.back().id)};
}

store::StoredRun read_export(const std::string& path) {
  try {
    return store::read_run_json(path);
  } catch (const store::StoreError& e) {
    throw UsageError(e.what());
  }
}

std::string describe(const store::RunInfo& run) {
  return fmt::format("run {} of {}", run.uuid.substr(0, 8), run.created_utc);
}

std::string text_of(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

}  // namespace

std::optional<LoadedRun> load_run_at(const std::string& path, const std::string& what) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    if (!fs::exists(fs::path(path) / "results.db")) {
      throw UsageError(fmt::format("{}: a directory without results.db: give a run's output directory", what));
    }
    auto run = latest_stored_run(path);
    auto source = fmt::format("{} in {}", describe(run.run), path);
    return LoadedRun{std::move(run), std::move(source)};
  }
  if (!fs::exists(path, ec)) return std::nullopt;
  auto run = read_export(path);
  auto source = fmt::format("{} from {}", describe(run.run), path);
  return LoadedRun{std::move(run), std::move(source)};
}

std::optional<StoredBaseline> find_stored_baseline(const std::string& baseline, const std::string& label,
                                                   const std::string& store_path) {
  if (auto loaded = load_run_at(baseline, "--baseline " + baseline)) {
    auto chosen = choose_label(loaded->run, label, baseline);
    return StoredBaseline{std::move(loaded->run), std::move(chosen), std::move(loaded->source)};
  }
  std::error_code ec;
  if (!store::is_server_store(store_path) && !fs::exists(store_path, ec)) return std::nullopt;
  const auto db = open_results_db(store_path);
  const auto saved = db.baseline(baseline);
  if (!saved) return std::nullopt;
  store::StoredRun run{*db.run(saved->run_id), db.trials(saved->run_id)};
  auto chosen = choose_label(run, label.empty() ? saved->label : label, "baseline " + baseline);
  auto source = fmt::format("stored baseline '{}' ({}, saved {})", baseline, describe(run.run), saved->saved_utc);
  return StoredBaseline{std::move(run), std::move(chosen), std::move(source)};
}

void check_same_host(const StoredBaseline& baseline, bool allow_other_host) {
  const auto here = host_fingerprint();
  const auto& there = baseline.run.run.host;
  std::vector<std::string> differences;
  for (const char* key : kComparable) {
    const auto a = there.is_object() && there.contains(key) ? text_of(there[key]) : "unknown";
    const auto b = here.contains(key) ? text_of(here[key]) : "unknown";
    if (a != b) differences.push_back(fmt::format("{} {} there, {} here", key, a, b));
  }
  if (differences.empty() || allow_other_host) return;
  throw UsageError(fmt::format("the baseline ({}) was measured on another host or kernel ({}): a gate compares like "
                               "with like; use a baseline from this runner, or --allow-other-host to compare anyway",
                               baseline.source, fmt::join(differences, "; ")));
}

int baseline_command(const BaselineOptions& o) {
  if (o.action == "list") {
    const auto db = open_store(o.store, false);
    auto out = nlohmann::json::array();
    for (const auto& b : db.baselines()) {
      const auto run = db.run(b.run_id);
      out.push_back({{"name", b.name}, {"label", b.label}, {"saved_utc", b.saved_utc}, {"run", run->uuid},
                     {"kind", run->kind}, {"created_utc", run->created_utc}});
    }
    if (o.json) std::cout << out.dump(2) << "\n";
    if (!o.json && out.empty()) std::cout << "no baselines in " << o.store << " (scxlab baseline save NAME RUN)\n";
    for (const auto& b : o.json ? nlohmann::json::array() : out) {
      std::cout << fmt::format("{:<16} {:<24} {} run {} of {}, saved {}\n", b["name"].get<std::string>(),
                               b["label"].get<std::string>(), b["kind"].get<std::string>(),
                               b["run"].get<std::string>().substr(0, 8), b["created_utc"].get<std::string>(),
                               b["saved_utc"].get<std::string>());
    }
    return kExitOk;
  }
  const auto manifests = schedulers::load_manifests();
  if (std::any_of(manifests.begin(), manifests.end(), [&](const auto& m) { return m.name == o.name; })) {
    throw UsageError(fmt::format("baseline name '{}' is a scheduler's name, so --baseline {} would mean the scheduler: "
                                 "choose another name (e.g. main)", o.name, o.name));
  }
  std::error_code ec;
  if (!fs::exists(o.run, ec)) {
    throw UsageError(fmt::format("{}: no such run directory or results.json: give the output directory of a finished "
                                 "run (or its results.json)", o.run));
  }
  const auto found = find_stored_baseline(o.run, o.label, o.store);
  auto db = open_store(o.store, true);
  const auto run_id = db.import_run(found->run);
  db.save_baseline({o.name, run_id, found->label, utc_now_iso8601()});
  std::cout << fmt::format("saved baseline '{}': {} of {} ({}), in {}\n", o.name, found->label, found->source,
                           found->run.run.kind, o.store);
  return kExitOk;
}

}  // namespace scxlab::harness
