#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <fmt/format.h>
#include <unistd.h>

#include "store/store.hpp"

namespace scxlab::store {
namespace fs = std::filesystem;
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
  return {{"seq", t.seq}, {"round", t.round}, {"kind", t.kind}, {"scheduler", t.scheduler},
          {"scheduler_config", t.scheduler_config}, {"workload", t.workload}, {"workload_params", t.workload_params},
          {"status", t.status}, {"reason", t.reason}, {"stderr_tail", t.stderr_tail},
          {"started_utc", t.started_utc}, {"ended_utc", t.ended_utc}, {"wall_s", t.wall_s},
          {"overhead_s", t.overhead_s}, {"metrics", metrics}, {"unavailable", unavailable},
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
  write_file_atomically(path, run_to_json(db, run_id).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

void export_csv(const ResultsDb& db, std::int64_t run_id, const std::string& path) {
  std::ostringstream out;
  out << "seq,round,kind,scheduler,workload,status,metric,value,unit,direction,source\n";
  out.precision(17);
  for (const auto& t : db.trials(run_id)) {
    const auto prefix = fmt::format("{},{},{},{},{},{}", t.seq, t.round, csv_field(t.kind), csv_field(t.scheduler),
                                    csv_field(t.workload), csv_field(t.status));
    if (t.metrics.empty()) out << prefix << ",,,,,\n";
    for (const auto& m : t.metrics) {
      out << prefix << ',' << csv_field(m.name) << ',' << m.value << ',' << csv_field(m.unit) << ','
          << to_string(m.direction) << ',' << csv_field(m.source) << '\n';
    }
  }
  write_file_atomically(path, out.str());
}

void write_file_atomically(const std::string& path, const std::string& contents) {
  const fs::path target(path);
  const auto dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const auto fail = [&](int err) {
    throw StoreError(fmt::format("cannot write {}: {}: check that directory {} exists and is writable", path,
                                 std::strerror(err), dir.string()));
  };
  std::string tmp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
  const int fd = mkstemp(tmp.data());
  if (fd < 0) fail(errno);
  int err = 0;
  for (std::size_t written = 0; written < contents.size() && !err;) {
    const auto n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n > 0) written += static_cast<std::size_t>(n);
    else if (n == 0) err = EIO;
    else if (errno != EINTR) err = errno;
  }
  if (!err && (fchmod(fd, 0644) != 0 || fsync(fd) != 0)) err = errno;  // mkstemp made it 0600
  if (close(fd) != 0 && !err) err = errno;
  if (!err && std::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err) {
    unlink(tmp.c_str());
    fail(err);
  }
  const int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    fsync(dfd);  // makes the rename itself durable
    close(dfd);
  }
}

}  // namespace scxlab::store
