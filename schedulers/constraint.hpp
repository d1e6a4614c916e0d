// Constraints between knobs, as written in manifests:
//   "pinned_slice_us == 0 || slice_min_us <= pinned_slice_us <= slice_max_us"
//   "dumb_queues == count(dsq_time_slices)"
// Operands are knob names, count(knob) (how many items a repeated knob has), numbers, true
// and false (booleans compare as 1 and 0); comparisons (<, <=, >, >=, ==, !=) may be chained;
// && binds tighter than ||; parentheses group. Used by the schedulers library (checking a
// configuration) and by the tuner's bridge in the harness (what a constraint asks of the
// tuned knobs while the others keep their values).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "schedulers/scheduler.hpp"

namespace scxlab::schedulers {

// sum(coef * knob) <= bound, or < bound when strict; each knob appears once.
struct LinearComparison {
  std::vector<std::pair<std::string, double>> terms;
  double bound = 0;
  bool strict = false;
};

// What is left of a constraint once some knobs' values are known.
struct Residual {
  enum class Kind {
    holds,      // whatever the free knobs are
    fails,      // whatever the free knobs are
    linear,     // exactly when every comparison of `all_of` holds
    nonlinear,  // a disjunction or a != over free knobs remains: check whole configurations
  };
  Kind kind = Kind::holds;
  std::vector<LinearComparison> all_of;
};

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

  // Substitutes `known` values for every knob that `is_free` does not name (and for every
  // count(knob)) and simplifies. A chain naming a knob `known` has no value for holds, as
  // eval() lets it pass.
  Residual residual(const std::function<bool(const std::string&)>& is_free, const Lookup& known) const;

  struct Node;

 private:
  std::shared_ptr<const Node> root_;
};

// A knob's value as a constraint sees it: `values[name]`, else its default; booleans 1 and 0;
// a repeated knob's item count for count(knob); nullopt when it has none or is not a number
// (enum, string) or `m` has no such knob.
std::optional<double> constraint_value(const Manifest& m, const std::map<std::string, std::string>& values,
                                       const ConstraintExpr::Ref& ref);

}  // namespace scxlab::schedulers
