// Parsers of the real tools' output: pure functions from text to metrics, tested against the
// reference outputs (tests/workloads/data/) and live runs. Each throws WorkloadFailure naming
// what it could not find. Metric names match the built-in generators' where the model is the
// same (hackbench and messaging: time_s; schbench and request: wakeup_latency_us.p99, ...).
#pragma once

#include <string>

#include "workloads/registry.hpp"

namespace scxlab::workloads {

// Shorthand for the metric tables of the parsers and of the tool adapters (tools.cpp).
inline constexpr auto kLower = Direction::lower_is_better;
inline constexpr auto kHigher = Direction::higher_is_better;
inline constexpr auto kInfo = Direction::informational;

// rt-tests hackbench, stdout. "Time: S" (start signal to all reaped); messages_per_s from the
// header's groups, file descriptors (2 x fds) and messages per sender.
Measurements parse_hackbench(const std::string& out);

// perf bench sched messaging: "Total time: S [sec]"; its group size is fixed at 20 senders and
// 20 receivers, so messages = groups x 20 x 20 x loops (the loops are not printed).
Measurements parse_perf_messaging(const std::string& out, long loops);

// perf bench sched pipe: usecs/op, ops/sec and the total time (default format), or the total
// time alone (-f simple), from which usecs/op follows with `loops`.
Measurements parse_perf_pipe(const std::string& out, long loops);

// schbench: the JSON line of `-j -` on stdout when present (all percentiles), and the human
// text on stderr: its LAST percentile blocks (interval mode prints several), "average rps"
// (not in the JSON). Quirks handled: the starred p99 line's extra token; the RPS p20 and min,
// left out because the first RPS sample is always 0; the "sched delay" line, ignored (always 0).
Measurements parse_schbench(const std::string& out, const std::string& err);

// stress-ng --metrics-brief (stderr): bogo ops and rates per stressor, the total rate, the
// "miscellaneous metrics" lines, and the cyclic stressor's latency percentiles.
Measurements parse_stress_ng(const std::string& err);

// cyclictest text (stdout with -q): the "T:" summary lines, or the histogram dump of -h with
// its "# Total/Min/Avg/Max Latencies/Histogram Overflows" lines. Percentiles only when the
// histogram is complete and the percentile lies inside it (not in the overflow).
Measurements parse_cyclictest_text(const std::string& out);

// cyclictest --json=FILE: per-thread cycles, min, avg, max, and the histogram when -h was given.
Measurements parse_cyclictest_json(const std::string& json);

}  // namespace scxlab::workloads
