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
  auto buckets = nlohmann::json::array();
  for (const auto& [index, count] : h.hist.nonzero_buckets()) buckets.push_back({index, count});
  return {{"name", h.name}, {"unit", h.unit}, {"count", h.hist.count()},
          {"p50", h.hist.percentile(50)}, {"p90", h.hist.percentile(90)}, {"p99", h.hist.percentile(99)},
          {"p99.9", h.hist.percentile(99.9)}, {"max", h.hist.max()}, {"buckets", buckets}};
}

nlohmann::json trial_json(const TrialRecord& t) {
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

nlohmann::json run_to_json(const ResultsDb& db, std::int64_t run_id) {
  const auto run = db.run(run_id);
  if (!run) throw StoreError(fmt::format("{} has no run {}", db.path(), run_id));
  auto trials = nlohmann::json::array();
  for (const auto& t : db.trials(run_id)) trials.push_back(trial_json(t));
  return {{"schema_version", db.schema_version()},
          {"run", {{"uuid", run->uuid}, {"kind", run->kind}, {"created_utc", run->created_utc},
                   {"scxlab_version", run->scxlab_version}, {"host", run->host}, {"plan", run->plan},
                   {"seed", run->seed}, {"status", run->status}}},
          {"trials", trials}};
}

void export_json(const ResultsDb& db, std::int64_t run_id, const std::string& path) {
  write_file_atomically(path, run_to_json(db, run_id).dump(2) + "\n");
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
  std::string tmp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
  const int fd = mkstemp(tmp.data());
  if (fd < 0) throw StoreError(fmt::format("cannot write {}: {}; choose a writable --out directory", path, std::strerror(errno)));
  std::size_t written = 0;
  while (written < contents.size()) {
    const auto n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  const bool ok = written == contents.size() && fsync(fd) == 0 && fchmod(fd, 0644) == 0;
  close(fd);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    unlink(tmp.c_str());
    throw StoreError(fmt::format("cannot write {}: {}", path, std::strerror(err)));
  }
  const int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    fsync(dfd);  // make the rename itself durable
    close(dfd);
  }
}

}  // namespace scxlab::store
