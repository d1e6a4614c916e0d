#include "stats/metric.hpp"

namespace scxlab {

std::string_view to_string(Direction d) {
  switch (d) {
    case Direction::lower_is_better: return "lower";
    case Direction::higher_is_better: return "higher";
    case Direction::informational: return "info";
  }
  return "info";
}

std::optional<Direction> direction_from_string(std::string_view s) {
  if (s == "lower") return Direction::lower_is_better;
  if (s == "higher") return Direction::higher_is_better;
  if (s == "info") return Direction::informational;
  return std::nullopt;
}

}  // namespace scxlab
