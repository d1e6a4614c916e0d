// Constraints between knobs, as written in manifests:
//   "pinned_slice_us == 0 || slice_min_us <= pinned_slice_us <= slice_max_us"
// Operands are knob names, numbers, true and false (booleans compare as 1 and 0); comparisons
// (<, <=, >, >=, ==, !=) may be chained; && binds tighter than ||; parentheses group.
// Internal to the schedulers library.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace scxlab::schedulers {

class ConstraintExpr {
 public:
  // Throws std::invalid_argument naming the position and what was expected.
  static ConstraintExpr parse(const std::string& text);

  std::vector<std::string> names() const;  // knob names it mentions, in order, without repeats

  // A knob's value, or nullopt when it has none (unset, no default): then the comparisons
  // that mention it are unknown, and so is the whole when nothing else decides it.
  using Lookup = std::function<std::optional<double>(const std::string&)>;
  std::optional<bool> eval(const Lookup& lookup) const;

  struct Node;

 private:
  std::shared_ptr<const Node> root_;
};

}  // namespace scxlab::schedulers
