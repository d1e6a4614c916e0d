// A real shootout on this host, end to end: the SQLite file, the JSON export, the HTML report
// and the printed analysis must hold the same numbers; an interrupted run resumes to the
// same plan without counting a trial twice.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include "base/files.hpp"
#include "catch.hpp"
#include "process.hpp"

using nlohmann::json;
using scxlab::test::run_process;
using scxlab::test::scxlab_binary;
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& p) { return scxlab::base::read_file_or_empty(p.string()); }

struct Row {
  std::int64_t seq;
  std::string scheduler, workload, status, kind;
  std::map<std::string, double> metrics;
};

// Every trial with its metrics, read with SQLite itself rather than through scxlab's store.
std::vector<Row> trials_in(const fs::path& db_path) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db,
                             "SELECT t.id, t.seq, t.scheduler, t.workload, t.status, t.kind, m.name, m.value "
                             "FROM trials t LEFT JOIN metrics m ON m.trial_id = t.id ORDER BY t.id",
                             -1, &st, nullptr) == SQLITE_OK);
  std::vector<Row> rows;
  std::int64_t last_id = -1;
  auto text = [&](int col) { return std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, col))); };
  while (sqlite3_step(st) == SQLITE_ROW) {
    if (sqlite3_column_int64(st, 0) != last_id) {
      last_id = sqlite3_column_int64(st, 0);
      rows.push_back({sqlite3_column_int64(st, 1), text(2), text(3), text(4), text(5), {}});
    }
    if (sqlite3_column_type(st, 6) != SQLITE_NULL) rows.back().metrics[text(6)] = sqlite3_column_double(st, 7);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rows;
}

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const auto n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// The report's data block (std::regex recurses per character: a megabyte overflows the stack).
json embedded_report_data(const fs::path& html_path) {
  const auto html = read_file(html_path);
  const std::string open = "<script type=\"application/json\" id=\"scxlab-data\">";
  const auto begin = html.find(open);
  REQUIRE(begin != std::string::npos);
  const auto end = html.find("</script>", begin);
  REQUIRE(end != std::string::npos);
  return json::parse(html.substr(begin + open.size(), end - begin - open.size()));
}

const json& metric_summary(const json& analysis, const std::string& workload, const std::string& scheduler,
                           const std::string& metric) {
  for (const auto& w : analysis.at("workloads")) {
    if (w.at("workload") != workload) continue;
    for (const auto& s : w.at("schedulers")) {
      if (s.at("scheduler") != scheduler) continue;
      for (const auto& m : s.at("metrics")) {
        if (m.at("metric") == metric) return m.at("summary");
      }
    }
  }
  FAIL("no " << metric << " of " << scheduler << " on " << workload << " in the analysis");
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("a host shootout: the DB, the JSON export, the HTML report and the printed analysis agree",
          "[integration]") {
  const auto dir = scxlab::test::fresh_temp_dir("agree");
  const auto r = run_process({scxlab_binary(), "shootout", "-s", "eevdf@A,eevdf@B", "-w",
                              "messaging:groups=1,loops=200", "-n", "3", "--warmup", "1", "-o",
                              (dir / "out").string(), "--json", "-q"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto printed = json::parse(r.out);
  const auto rows = trials_in(dir / "out" / "results.db");
  REQUIRE(rows.size() == 8);  // 2 schedulers x (1 warm-up + 3 measured)

  const auto exported = json::parse(read_file(dir / "out" / "results.json"));
  REQUIRE(exported.at("trials").size() == rows.size());
  const auto report = embedded_report_data(dir / "out" / "report.html");
  CHECK(report.at("analysis") == printed);
  // The run records the release and commit `--version` names, and the report shows it.
  const auto version = exported.at("run").at("scxlab_version").get<std::string>();
  CHECK(run_process({scxlab_binary(), "--version"}).out == "scxlab " + version + "\n");
  CHECK(read_file(dir / "out" / "report.html").find("<dd>" + version + "</dd>") != std::string::npos);

  for (const std::string label : {"A", "B"}) {
    std::vector<double> times;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& row = rows[i];
      if (row.scheduler != label) continue;
      CHECK(row.status == "ok");
      // The export holds the DB's values, bit for bit after the JSON round trip.
      const auto& trial = exported.at("trials").at(i);
      CHECK(trial.at("seq") == row.seq);
      for (const auto& [name, value] : row.metrics) {
        INFO(name);
        CHECK(trial.at("metrics").at(name).at("value").get<double>() == Approx(value).epsilon(1e-12));
      }
      // The BPF probe counted the workload's wake-ups and its percentiles are ordered.
      CHECK(row.metrics.at("runq_wait_us.count") > 0);
      CHECK(row.metrics.at("runq_wait_us.p50") <= row.metrics.at("runq_wait_us.p90"));
      CHECK(row.metrics.at("runq_wait_us.p90") <= row.metrics.at("runq_wait_us.p99"));
      CHECK(row.metrics.at("runq_wait_us.p99") <= row.metrics.at("runq_wait_us.max"));
      CHECK(row.metrics.at("ctx_switches") > 0);
      if (row.kind == "measure") times.push_back(row.metrics.at("time_s"));
    }
    REQUIRE(times.size() == 3);
    const auto& summary = metric_summary(printed, "messaging", label, "time_s");
    CHECK(summary.at("n") == 3);
    CHECK(summary.at("median").get<double>() == Approx(median_of(times)).epsilon(1e-12));
  }
  fs::remove_all(dir);
}

TEST_CASE("SIGINT or SIGKILL mid-trial: finished trials kept, --resume completes the plan, each trial once",
          "[integration]") {
  const std::string signal = GENERATE(as<std::string>{}, "INT", "KILL");
  const auto dir = scxlab::test::fresh_temp_dir("resume-" + signal);
  // A command workload that signals its parent, scxlab, the first time it runs.
  const auto flag = dir / "signalled-once";
  std::ofstream(dir / "signal.toml")
      << "name = \"signal-once\"\n"
      << "summary = \"signals scxlab the first time it runs\"\n"
      << "command = \"if [ ! -e " << flag.string() << " ]; then : > " << flag.string() << "; kill -" << signal
      << " $PPID; fi; echo 'value 1'\"\n"
      << "[[metric]]\nname = \"value\"\nunit = \"count\"\ndirection = \"informational\"\n"
      << "regex = 'value ([0-9]+)'\n";
  const std::vector<std::string> plan = {"-w", "messaging:groups=1,loops=50", "-w",
                                         "command:" + (dir / "signal.toml").string(), "-n", "2",
                                         "--warmup", "0", "--seed", "7", "-q"};
  auto first = std::vector<std::string>{scxlab_binary(), "shootout", "-o", (dir / "out").string()};
  first.insert(first.end(), plan.begin(), plan.end());
  const auto stopped = run_process(first);
  INFO(signal << ": " << stopped.err);
  REQUIRE(fs::exists(flag));
  if (signal == "INT") {
    CHECK(stopped.exit_code == 130);
    CHECK(stopped.err.find("--resume") != std::string::npos);
    const auto before = trials_in(dir / "out" / "results.db");
    CHECK(std::any_of(before.begin(), before.end(), [](const Row& t) { return t.status == "interrupted"; }));
  } else {
    CHECK(stopped.exit_code == 128 + 9);  // nothing could be said; the committed trials speak
  }

  const auto resumed = run_process({scxlab_binary(), "shootout", "--resume", (dir / "out").string(), "-q"});
  INFO(resumed.err);
  CHECK(resumed.exit_code == 0);
  std::multiset<std::int64_t> counted;
  for (const auto& t : trials_in(dir / "out" / "results.db")) {
    if (t.status != "interrupted") counted.insert(t.seq);
  }
  // 1 scheduler x 2 workloads x 2 repetitions: every seq exactly once.
  CHECK(counted == std::multiset<std::int64_t>{0, 1, 2, 3});
  fs::remove_all(dir);
}
