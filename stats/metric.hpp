// The unit every measurement travels in: a named number with its unit and which way is better.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scxlab {

enum class Direction { lower_is_better, higher_is_better, informational };

std::string_view to_string(Direction d);
std::optional<Direction> direction_from_string(std::string_view s);

struct Metric {
  std::string name;    // dotted and stable: "runq_wait_us.p99", "messages_per_s"
  double value = 0;
  std::string unit;    // "us", "s", "msg/s", "count", "%"
  Direction direction = Direction::informational;
  std::string source;  // who measured it: "workload", "bpf", "perf", "proc", "scx_stats"
};

// A metric this host cannot give, and why: reported instead of a zero.
struct Unavailable {
  std::string name;
  std::string reason;
};

}  // namespace scxlab
