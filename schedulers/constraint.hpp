// Constraints between knobs, as written in manifests:
//   "pinned_slice_us == 0 || slice_min_us <= pinned_slice_us <= slice_max_us"
//   "dumb_queues == count(dsq_time_slices)"
// Operands are knob names, count(knob) (how many items a repeated knob has), numbers, true
// and false (booleans compare as 1 and 0); comparisons (<, <=, >, >=, ==, !=) may be chained;
// && binds tighter than ||; parentheses group. Internal to the schedulers library.
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

  // What an operand asks of a knob: its value, or its number of items (count(knob)).
  enum class Measure { value, count };
  struct Ref {
    std::string name;
    Measure measure;
    bool operator==(const Ref&) const = default;
  };
  std::vector<Ref> refs() const;           // the knobs it reads, in order, without repeats
  std::vector<std::string> names() const;  // their names, in order, without repeats

  // A knob's value (or item count), or nullopt when it has none (unset, no default): then the
  // comparisons that mention it are unknown, and so is the whole when nothing else decides it.
  using Lookup = std::function<std::optional<double>(const Ref&)>;
  std::optional<bool> eval(const Lookup& lookup) const;

  struct Node;

 private:
  std::shared_ptr<const Node> root_;
};

}  // namespace scxlab::schedulers
