// Frame-pacing metrics from per-frame frame times (ms between consecutive presents), with the
// definitions used by the tools gamers read (CapFrameX, MSI Afterburner, PresentMon):
//   fps.avg                          N * 1000 / sum(ft): time-weighted, not the mean of per-frame FPS
//   fps.low_1pct_time_weighted       "1% low" as CapFrameX / MSI Afterburner: sort ft descending,
//                                    accumulate until the sum reaches 1% of the total time;
//                                    1000 / the ft reached
//   fps.low_1pct_frame_weighted      1000 / the 1% worst frame by count (nearest rank: the
//                                    ceil(0.01 N)-th largest ft; MangoHud's ft[floor(pN)-1]
//                                    when pN is whole)
//   fps.low_0.1pct_*                 the same with 0.1%
//   frame_time_ms.p50|p99|p99.9|max  nearest-rank percentiles of ft
//   stutter_count, stutter_time_pct  frames with ft > 2.5 x the average ft (CapFrameX), and
//                                    their share of the total time
#pragma once

#include <span>
#include <vector>

#include "stats/metric.hpp"

namespace scxlab::workloads {

double fps_avg(std::span<const double> ft_ms);
double fps_low_time_weighted(std::span<const double> ft_ms, double fraction);   // fraction 0.01 = "1% low"
double fps_low_frame_weighted(std::span<const double> ft_ms, double fraction);
double nearest_rank_percentile(std::span<const double> values, double p);     // p in [0, 100]

struct Stutter {
  std::size_t count = 0;
  double time_pct = 0;
};
Stutter stutter(std::span<const double> ft_ms);

// All of the above as metrics (needs at least one frame time).
std::vector<Metric> frame_time_metrics(std::span<const double> ft_ms);

}  // namespace scxlab::workloads
