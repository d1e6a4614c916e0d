// The search space the tuner sees: typed knobs (real, integer, boolean, categorical), their
// tuning ranges and scales, which of them are tuned, and linear constraints between them.
// A Space knows nothing of schedulers: the harness builds one from a scheduler manifest (or
// a user's space file, see tuner/space_file.hpp) and the tuner proposes Configs in it.
//
// Conventions
// - Real and integer knobs have an inclusive tuning range [low, high]; integer knobs live on
//   the grid low, low + step, ..., high. `Scale::log` searches the knob in log space (the
//   natural scale of *_ns / *_us durations); a range starting at 0 is searched as
//   log(value + shift), shift = step for integers and (high - low) / 1000 for reals.
// - Booleans and categorical knobs are unordered choices. Mutually exclusive boolean flags
//   (at most one may be set, e.g. scx_lavd's --autopilot/--performance/...) become ONE
//   categorical knob: see exclusive_group().
// - A knob that is not tuned is held at its fixed value (its default unless fix() says
//   otherwise); it still takes part in constraints and in the exported configuration.
// - Linear constraints sum(coef * knob) <= rhs relate numeric knobs in their own units (not
//   the search scale), e.g. slice_min_us <= pinned_slice_us <= slice_max_us. Every
//   configuration the tuner proposes satisfies them; the default configuration must too.
// - A rule (set_rule) checks whole configurations where linear constraints cannot say it,
//   e.g. a caller's "p == 0 || lo <= p <= hi". Like a linear constraint, and unlike an
//   outcome constraint, it is known before an evaluation: no proposal breaks it.
// - Knobs carry opaque metadata for the caller (`meta`) and the command-line binding the
//   exporter uses (`flag`, `style`, `choice_args`); the optimiser ignores both.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace scxlab::tuner {

// Thrown for an invalid space, knob, constraint or configuration; the message names the bad
// input and, where there is one, the fix.
class SpaceError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

enum class KnobType { real, integer, boolean, categorical };
enum class Scale { linear, log };

// How the exporter writes a knob on a command line.
enum class FlagStyle {
  value,     // --flag V        (booleans: --flag true|false)
  equals,    // --flag=V        (booleans: --flag=true|false)
  presence,  // booleans only: --flag when true, nothing when false
};

// A knob value: integer knobs hold int64, reals double, booleans bool, categorical knobs the
// choice's name. Write literals typed (std::int64_t{5000}, 0.5, true, std::string{"auto"}).
using Value = std::variant<bool, std::int64_t, double, std::string>;

std::string to_string(const Value& v);
std::string_view to_string(KnobType t);
std::string_view to_string(Scale s);
std::string_view to_string(FlagStyle s);

struct Knob {
  std::string name;
  KnobType type = KnobType::real;
  double low = 0, high = 1;          // real, integer: inclusive tuning range
  std::int64_t step = 1;             // integer: grid step; (high - low) must be a multiple
  Scale scale = Scale::linear;
  std::vector<std::string> choices;  // categorical
  Value default_value;               // the scheduler's own default, inside the range
  std::string flag;                  // e.g. "--slice-max-us"; "" = not a command-line flag
  FlagStyle style = FlagStyle::value;
  // Categorical knobs made from an exclusive group: the command-line words of each choice
  // (parallel to `choices`; empty = write `flag` with the choice's name).
  std::vector<std::vector<std::string>> choice_args;
  std::map<std::string, std::string> meta;  // opaque to the tuner (unit, help text, ...)
};

// Builds one categorical knob from mutually exclusive boolean flags. Its choices are the
// members' names, in order, plus "none" (no flag) when no member is on by default; each
// choice is exported as its member's flag in that member's style.
Knob exclusive_group(const std::string& group, std::span<const Knob> members);

// sum(coef * value of knob) <= rhs, in the knobs' own units.
struct LinearConstraint {
  std::vector<std::pair<std::string, double>> terms;
  double rhs = 0;
  std::string text;  // as the user wrote it, for messages ("slice_min_us <= slice_max_us")
};

// One value per knob of the space, in the space's knob order.
struct Config {
  std::vector<Value> values;
  bool operator==(const Config&) const = default;
};

// Why `c` breaks the rule, or "" when it does not.
using Rule = std::function<std::string(const Config& c)>;

class Space {
 public:
  explicit Space(std::string name = "");

  // Adds a knob after validating it (range, grid, default inside the range, flag style).
  void add(Knob knob);
  // Adds a constraint over numeric knobs already in the space.
  void add_constraint(LinearConstraint constraint);
  // Every configuration must also pass `rule` (replaces an earlier one).
  void set_rule(Rule rule);
  bool has_rule() const { return static_cast<bool>(rule_); }
  // Why `c` breaks the rule ("" when it does not or there is none).
  std::string rule_violation(const Config& c) const;
  // Holds a knob at `value` (not tuned).
  void fix(std::string_view knob, const Value& value);
  // Tunes only these knobs; every other knob is held at its fixed value (default unless
  // fix() set one). Names must exist.
  void tune_only(std::span<const std::string> knobs);

  const std::string& name() const { return name_; }
  const std::vector<Knob>& knobs() const { return knobs_; }
  const std::vector<LinearConstraint>& constraints() const { return constraints_; }
  std::optional<std::size_t> index_of(std::string_view knob) const;
  const Knob& knob(std::string_view name) const;  // throws SpaceError for an unknown name
  bool tuned(std::size_t knob_index) const { return tuned_.at(knob_index); }
  const Value& fixed_value(std::size_t knob_index) const { return fixed_.at(knob_index); }
  std::size_t tuned_count() const;

  // Defaults for tuned knobs, fixed values for the others.
  Config defaults() const;
  const Value& value(const Config& c, std::string_view knob) const;
  // Returns `c` with each value converted to its knob's canonical type (an integer given
  // for a real knob becomes a double, ...); throws SpaceError naming a knob whose value has
  // the wrong type, lies outside its range or off its grid, or is not one of its choices.
  Config canonical(const Config& c) const;
  // Value of the constraint's left side minus its right side (<= 0 when satisfied).
  double slack(const LinearConstraint& constraint, const Config& c) const;
  // Texts of the constraints `c` violates, then why it breaks the rule (empty when feasible).
  std::vector<std::string> violations(const Config& c) const;
  bool feasible(const Config& c) const { return violations(c).empty(); }
  // "slice_max_us=5000 power_mode=performance".
  std::string describe(const Config& c) const;

  // {"knob": value, ...}: every knob, so a stored configuration is complete.
  nlohmann::json to_json(const Config& c) const;
  // Accepts a JSON object of knob values; missing knobs take their fixed/default values.
  Config from_json(const nlohmann::json& j) const;

 private:
  Value checked_value(const Knob& k, const Value& v) const;

  std::string name_;
  std::vector<Knob> knobs_;
  std::vector<bool> tuned_;
  std::vector<Value> fixed_;
  std::vector<LinearConstraint> constraints_;
  Rule rule_;
};

// Numeric view of a value: integers and doubles as they are, booleans 0/1; throws for a
// categorical value.
double as_number(const Value& v);

}  // namespace scxlab::tuner
