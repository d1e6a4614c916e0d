#include "reports/history.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "reports/format.hpp"
#include "reports/model.hpp"
#include "stats/inference.hpp"

namespace scxlab::reports {
namespace {

// The median of the metric over a run's counted trials, per workload and scheduler.
struct RunValues {
  std::string workload, scheduler, unit;
  Direction direction = Direction::informational;
  std::vector<double> values;
};

std::vector<RunValues> values_of_run(const std::vector<store::TrialRecord>& trials, const HistoryQuery& q) {
  std::vector<RunValues> out;
  for (const auto& t : trials) {
    if (!counts_in_analysis(t)) continue;
    if ((!q.scheduler.empty() && t.scheduler != q.scheduler) || (!q.workload.empty() && t.workload != q.workload)) continue;
    for (const auto& m : t.metrics) {
      if (m.name != q.metric || !std::isfinite(m.value)) continue;
      auto it = std::find_if(out.begin(), out.end(),
                             [&](const RunValues& r) { return r.workload == t.workload && r.scheduler == t.scheduler; });
      if (it == out.end()) it = out.insert(out.end(), {t.workload, t.scheduler, m.unit, m.direction, {}});
      it->values.push_back(m.value);
    }
  }
  return out;
}

HistorySeries& series_for(std::vector<HistorySeries>& all, const RunValues& r, const std::string& metric) {
  auto it = std::find_if(all.begin(), all.end(), [&](const HistorySeries& s) {
    return s.workload == r.workload && s.scheduler == r.scheduler;
  });
  if (it == all.end()) it = all.insert(all.end(), {r.workload, r.scheduler, metric, r.unit, r.direction, {}, {}});
  return *it;
}

const stats::ChangePoint* change_at(const HistorySeries& s, std::size_t index) {
  for (const auto& c : s.changes) {
    if (c.index == index) return &c;
  }
  return nullptr;
}

std::string change_note(const stats::ChangePoint& c, Direction d) {
  const bool worse = d == Direction::lower_is_better ? c.change > 0 : d == Direction::higher_is_better && c.change < 0;
  const bool better = d != Direction::informational && !worse && c.change != 0;
  return fmt::format("<- change: {} (mean {} -> {}, p {}){}", format_change(1 + c.change), format_number(c.mean_before),
                     format_number(c.mean_after), format_p(c.p_value), worse ? ", worse" : better ? ", better" : "");
}

}  // namespace

std::vector<HistorySeries> metric_history(const store::ResultsDb& db, const HistoryQuery& query) {
  auto runs = db.runs();
  std::stable_sort(runs.begin(), runs.end(),
                   [](const store::RunInfo& a, const store::RunInfo& b) { return a.created_utc < b.created_utc; });
  std::vector<HistorySeries> out;
  for (const auto& run : runs) {
    for (const auto& r : values_of_run(db.trials(run.id), query)) {
      series_for(out, r, query.metric).points.push_back({run.uuid, run.created_utc, run.kind, stats::median(r.values),
                                                        r.values.size()});
    }
  }
  return out;
}

void find_changes(std::vector<HistorySeries>& series, const stats::ChangePointOptions& options) {
  for (auto& s : series) {
    std::vector<double> medians;
    for (const auto& p : s.points) medians.push_back(p.median);
    s.changes = stats::change_points(medians, options);
  }
}

std::string render_history(const std::vector<HistorySeries>& series, bool changes_looked_for) {
  std::string out;
  for (const auto& s : series) {
    out += fmt::format("{} on {} / {} ({}{}{}), {} run{}:\n", s.metric, s.workload, s.scheduler, s.unit,
                       s.unit.empty() ? "" : ", ", direction_text(s.direction), s.points.size(),
                       s.points.size() == 1 ? "" : "s");
    for (std::size_t i = 0; i < s.points.size(); ++i) {
      const auto& p = s.points[i];
      const auto* c = change_at(s, i);
      out += fmt::format("  {}  {:<8} {:>10}  n={:<3} {}{}\n", p.created_utc, p.kind, format_number(p.median), p.n,
                         p.run_uuid.substr(0, 8), c ? "  " + change_note(*c, s.direction) : "");
    }
    if (changes_looked_for && s.changes.empty()) out += "  no change point\n";
  }
  return out;
}

nlohmann::json history_to_json(const std::vector<HistorySeries>& series) {
  auto out = nlohmann::json::array();
  for (const auto& s : series) {
    auto points = nlohmann::json::array();
    for (const auto& p : s.points) {
      points.push_back({{"run", p.run_uuid}, {"created_utc", p.created_utc}, {"kind", p.kind}, {"median", p.median},
                        {"n", p.n}});
    }
    auto changes = nlohmann::json::array();
    for (const auto& c : s.changes) {
      changes.push_back({{"index", c.index}, {"run", s.points[c.index].run_uuid}, {"mean_before", c.mean_before},
                         {"mean_after", c.mean_after}, {"change", c.change}, {"p_value", c.p_value}});
    }
    out.push_back({{"workload", s.workload}, {"scheduler", s.scheduler}, {"metric", s.metric}, {"unit", s.unit},
                   {"direction", to_string(s.direction)}, {"points", points}, {"changes", changes}});
  }
  return out;
}

}  // namespace scxlab::reports
