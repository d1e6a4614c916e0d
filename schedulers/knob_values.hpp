// Internal to the schedulers library: one knob value checked against its manifest entry.
#pragma once

#include <string>
#include <vector>

#include "schedulers/scheduler.hpp"

namespace scxlab::schedulers {

// The items of a repeated knob's value ("500 2500 5000"), each passed as its own option.
std::vector<std::string> repeated_items(const std::string& value);

// The value in canonical form (booleans as true/false); throws std::invalid_argument naming
// the scheduler, the knob, the bad value and the fix (type, range or choices).
std::string checked_value(const Manifest& m, const Knob& k, const std::string& value);

}  // namespace scxlab::schedulers
