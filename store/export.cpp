#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

#include <fmt/format.h>

#include "base/files.hpp"
#include "store/store.hpp"

namespace scxlab::store {
namespace {

nlohmann::json histogram_json(const stats::NamedHistogram& h) {
  return {{"name", h.name}, {"unit", h.unit}, {"count", h.hist.count()},
          {"p50", h.hist.percentile(50)}, {"p90", h.hist.percentile(90)}, {"p99", h.hist.percentile(99)},
          {"p99.9", h.hist.percentile(99.9)}, {"max", h.hist.max()}, {"buckets", buckets_to_json(h.hist)}};
}

// RFC 4180: quote a field holding a comma, quote or newline; double inner quotes.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

RunInfo run_info_from_json(const nlohmann::json& j) {
  RunInfo r;
  r.uuid = j.at("uuid").get<std::string>();
  r.kind = j.at("kind").get<std::string>();
  r.created_utc = j.at("created_utc").get<std::string>();
  r.scxlab_version = j.at("scxlab_version").get<std::string>();
  r.host = j.at("host");
  r.plan = j.at("plan");
  r.seed = j.at("seed").get<std::uint64_t>();
  r.status = j.at("status").get<std::string>();
  r.outcome = j.value("outcome", nlohmann::json());  // exports of schema 1 have none
  return r;
}

// JSON has no NaN: nlohmann writes a non-finite value as null.
double number(const nlohmann::json& v) {
  return v.is_null() ? std::numeric_limits<double>::quiet_NaN() : v.get<double>();
}

TrialRecord trial_from_json(const nlohmann::json& j) {
  TrialRecord t;
  t.seq = j.at("seq").get<int>();
  t.round = j.at("round").get<int>();
  t.kind = trial_kind_from(j.at("kind").get<std::string>());
  t.scheduler = j.at("scheduler").get<std::string>();
  t.scheduler_config = j.at("scheduler_config");
  t.workload = j.at("workload").get<std::string>();
  t.workload_params = j.at("workload_params");
  t.status = trial_status_from(j.at("status").get<std::string>());
  t.reason = j.at("reason").get<std::string>();
  t.stderr_tail = j.at("stderr_tail").get<std::string>();
  t.started_utc = j.at("started_utc").get<std::string>();
  t.ended_utc = j.at("ended_utc").get<std::string>();
  t.wall_s = number(j.at("wall_s"));
  t.overhead_s = number(j.at("overhead_s"));
  t.host = j.value("host", "");  // exports older than schema 4 have neither
  t.hw_class = j.value("hw_class", "");
  for (const auto& [name, m] : j.at("metrics").items()) {
    t.metrics.push_back({name, number(m.at("value")), m.at("unit").get<std::string>(),
                         direction_from_string(m.at("direction").get<std::string>()).value_or(Direction::informational),
                         m.at("source").get<std::string>()});
  }
  for (const auto& [name, reason] : j.at("unavailable").items()) t.unavailable.push_back({name, reason.get<std::string>()});
  for (const auto& h : j.at("histograms")) {
    t.histograms.push_back({h.at("name").get<std::string>(), h.at("unit").get<std::string>(), buckets_from_json(h.at("buckets"))});
  }
  return t;
}

}  // namespace

nlohmann::json trial_to_json(const TrialRecord& t) {
  auto metrics = nlohmann::json::object();
  for (const auto& m : t.metrics) {
    metrics[m.name] = {{"value", m.value}, {"unit", m.unit}, {"direction", to_string(m.direction)}, {"source", m.source}};
  }
  auto unavailable = nlohmann::json::object();
  for (const auto& u : t.unavailable) unavailable[u.name] = u.reason;
  auto histograms = nlohmann::json::array();
  for (const auto& h : t.histograms) histograms.push_back(histogram_json(h));
  return {{"seq", t.seq}, {"round", t.round}, {"kind", to_string(t.kind)}, {"scheduler", t.scheduler},
          {"scheduler_config", t.scheduler_config}, {"workload", t.workload}, {"workload_params", t.workload_params},
          {"status", to_string(t.status)}, {"reason", t.reason}, {"stderr_tail", t.stderr_tail},
          {"started_utc", t.started_utc}, {"ended_utc", t.ended_utc}, {"wall_s", t.wall_s},
          {"overhead_s", t.overhead_s}, {"host", t.host}, {"hw_class", t.hw_class}, {"metrics", metrics}, {"unavailable", unavailable},
          {"histograms", histograms}};
}

nlohmann::json buckets_to_json(const stats::LogLinearHistogram& h) {
  auto out = nlohmann::json::array();
  for (const auto& [index, count] : h.nonzero_buckets()) out.push_back({index, count});
  return out;
}

stats::LogLinearHistogram buckets_from_json(const nlohmann::json& buckets) {
  std::vector<std::pair<std::uint32_t, std::uint64_t>> pairs;
  for (const auto& b : buckets) pairs.emplace_back(b.at(0).get<std::uint32_t>(), b.at(1).get<std::uint64_t>());
  return stats::LogLinearHistogram::from_buckets(pairs);
}

nlohmann::json run_to_json(const ResultsDb& db, std::int64_t run_id) {
  const auto run = db.run(run_id);
  if (!run) throw StoreError(fmt::format("{} has no run {}", db.path(), run_id));
  auto trials = nlohmann::json::array();
  for (const auto& t : db.trials(run_id)) trials.push_back(trial_to_json(t));
  return {{"schema_version", db.schema_version()}, {"run", run_info_to_json(*run)}, {"trials", trials}};
}

nlohmann::json run_info_to_json(const RunInfo& run) {
  return {{"uuid", run.uuid}, {"kind", run.kind}, {"created_utc", run.created_utc},
          {"scxlab_version", run.scxlab_version}, {"host", run.host}, {"plan", run.plan},
          {"seed", run.seed}, {"status", run.status}, {"outcome", run.outcome}};
}

void export_json(const ResultsDb& db, std::int64_t run_id, const std::string& path) {
  // A workload's stderr tail may hold invalid UTF-8: replaced, not a reason to lose the export.
  base::write_file_atomically(path, run_to_json(db, run_id).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

StoredRun run_from_json(const nlohmann::json& j, const std::string& source) {
  const auto fail = [&](const std::string& what) { return StoreError(fmt::format("{}: {}", source, what)); };
  if (!j.is_object() || !j.contains("run") || !j.contains("trials")) {
    throw fail("not a scxlab export (it has no \"run\" and \"trials\"): give the results.json a scxlab run wrote");
  }
  try {
    const int version = j.value("schema_version", 0);
    if (version > kSchemaVersion) {
      throw fail(fmt::format("written by a newer scxlab (schema version {}; this one reads up to {}): read it with a "
                             "newer scxlab", version, kSchemaVersion));
    }
    StoredRun out{run_info_from_json(j.at("run")), {}};
    for (const auto& t : j.at("trials")) out.trials.push_back(trial_from_json(t));
    return out;
  } catch (const nlohmann::json::exception& e) {
    throw fail(fmt::format("not a complete scxlab export ({}): export the run again with 'scxlab report DIR'", e.what()));
  }
}

StoredRun read_run_json(const std::string& path) {
  const auto file = base::read_file(path);
  if (!file.ok) throw StoreError(fmt::format("cannot read {}: {}", path, std::strerror(file.err)));
  if (base::trim(file.text).empty()) {
    throw StoreError(fmt::format("{} is empty: give the results.json of a finished scxlab run", path));
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(file.text);
  } catch (const nlohmann::json::parse_error& e) {
    throw StoreError(fmt::format("{} is not valid JSON, perhaps truncated ({}): give a complete results.json", path,
                                 e.what()));
  }
  return run_from_json(j, path);
}

void export_csv(const ResultsDb& db, std::int64_t run_id, const std::string& path) {
  std::ostringstream out;
  out << "seq,round,kind,scheduler,workload,status,metric,value,unit,direction,source\n";
  out.precision(17);
  for (const auto& t : db.trials(run_id)) {
    const auto prefix = fmt::format("{},{},{},{},{},{}", t.seq, t.round, csv_field(std::string(to_string(t.kind))), csv_field(t.scheduler),
                                    csv_field(t.workload), csv_field(std::string(to_string(t.status))));
    if (t.metrics.empty()) out << prefix << ",,,,,\n";
    for (const auto& m : t.metrics) {
      out << prefix << ',' << csv_field(m.name) << ',' << m.value << ',' << csv_field(m.unit) << ','
          << to_string(m.direction) << ',' << csv_field(m.source) << '\n';
    }
  }
  base::write_file_atomically(path, out.str());
}

}  // namespace scxlab::store
