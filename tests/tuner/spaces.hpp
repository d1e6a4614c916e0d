// Spaces and checks shared by the tuner tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <variant>

#include "catch.hpp"
#include "tuner/space.hpp"

namespace scxlab::tuner::testing {

inline Knob real(const std::string& name, double low, double high, double def, Scale scale = Scale::linear) {
  Knob k;
  k.name = name;
  k.low = low;
  k.high = high;
  k.scale = scale;
  k.default_value = def;
  return k;
}

inline Knob integer(const std::string& name, std::int64_t low, std::int64_t high, std::int64_t step, std::int64_t def,
                    Scale scale = Scale::linear) {
  Knob k;
  k.name = name;
  k.type = KnobType::integer;
  k.low = static_cast<double>(low);
  k.high = static_cast<double>(high);
  k.step = step;
  k.scale = scale;
  k.default_value = def;
  return k;
}

// Every knob type and scale the tuner handles, a fixed knob, and linear constraints that
// cut the box: between two log-scale reals, between two integers (no continuous dim), and
// against the fixed knob.
//   slice_min_us <= slice_max_us,  nr_a + nr_b <= 12,  slice_max_us <= 10 * cap_us (= 15000)
inline Space mixed_space() {
  Space s("mixed");
  s.add(real("x", 0, 1, 0.5));
  s.add(real("slice_min_us", 10, 1000, 100, Scale::log));
  s.add(real("slice_max_us", 100, 20000, 5000, Scale::log));
  s.add(integer("nr_a", 0, 10, 1, 5));
  s.add(integer("nr_b", 0, 10, 2, 4));
  s.add(integer("migration_ns", 0, 1'000'000, 1000, 500'000, Scale::log));  // 1001 levels: line search
  Knob mode;
  mode.name = "mode";
  mode.type = KnobType::categorical;
  mode.choices = {"auto", "performance", "powersave"};
  mode.default_value = std::string("auto");
  s.add(mode);
  Knob flag;
  flag.name = "flag";
  flag.type = KnobType::boolean;
  flag.default_value = false;
  s.add(flag);
  s.add(real("cap_us", 100, 100000, 1500));
  s.fix("cap_us", 1500.0);
  s.add_constraint({{{"slice_min_us", 1}, {"slice_max_us", -1}}, 0, "slice_min_us <= slice_max_us"});
  s.add_constraint({{{"nr_a", 1}, {"nr_b", 1}}, 12, "nr_a + nr_b <= 12"});
  s.add_constraint({{{"slice_max_us", 1}, {"cap_us", -10}}, 0, "slice_max_us <= 10 * cap_us"});
  return s;
}

// A numeric view of a mixed-space configuration (categories by index) for test objectives.
inline double number(const Space& s, const Config& c, const std::string& knob) {
  const Value& v = s.value(c, knob);
  if (const auto* str = std::get_if<std::string>(&v)) {
    const auto& choices = s.knob(knob).choices;
    return static_cast<double>(std::find(choices.begin(), choices.end(), *str) - choices.begin());
  }
  return as_number(v);
}

// Checks, independently of Space::canonical, that every value has its knob's type, is finite,
// lies in the tuning range and on the integer grid, fixed knobs hold their value, and the
// space's constraints hold.
inline void check_proposal(const Space& s, const Config& c) {
  REQUIRE(c.values.size() == s.knobs().size());
  for (std::size_t i = 0; i < s.knobs().size(); ++i) {
    const Knob& k = s.knobs()[i];
    const Value& v = c.values[i];
    INFO("knob " << k.name << " = " << to_string(v));
    if (!s.tuned(i)) REQUIRE(v == s.fixed_value(i));
    switch (k.type) {
      case KnobType::real: {
        REQUIRE(std::holds_alternative<double>(v));
        const double x = std::get<double>(v);
        REQUIRE(std::isfinite(x));
        REQUIRE(x >= k.low);
        REQUIRE(x <= k.high);
        break;
      }
      case KnobType::integer: {
        REQUIRE(std::holds_alternative<std::int64_t>(v));
        const auto x = std::get<std::int64_t>(v);
        REQUIRE(x >= static_cast<std::int64_t>(k.low));
        REQUIRE(x <= static_cast<std::int64_t>(k.high));
        REQUIRE((x - static_cast<std::int64_t>(k.low)) % k.step == 0);
        break;
      }
      case KnobType::boolean: REQUIRE(std::holds_alternative<bool>(v)); break;
      case KnobType::categorical:
        REQUIRE(std::holds_alternative<std::string>(v));
        REQUIRE(std::find(k.choices.begin(), k.choices.end(), std::get<std::string>(v)) != k.choices.end());
        break;
    }
  }
  INFO(s.describe(c));
  REQUIRE(s.violations(c).empty());
}

}  // namespace scxlab::tuner::testing
