// A user's search space in TOML, for tuning anything (`scxlab tune --space FILE --command CMD`):
//
//   name = "my-program"              # optional; default: the file's stem
//   [[knob]]
//   name = "threads"                 # unique
//   type = "int"                     # int | real | bool | choice
//   range = [1, 64]                  # int, real: the tuning range, inclusive
//   step = 1                         # int: grid step (default 1)
//   scale = "log"                    # linear (default) | log
//   default = 8                      # required: in the range, or one of the choices
//   choices = ["a", "b"]             # choice only
//   flag = "--threads"               # optional, for the exported command line
//   tune = true                      # optional; false holds the knob at its default
//   unit = "count"                   # optional
//   [[constraint]]
//   expr = "min_us <= max_us"        # linear: [coef*]knob terms joined by +/-, <= or >=, then a
//                                    # number or more terms; chains a <= b <= c allowed
//
// Example: tuner/examples/quadratic.toml.
#pragma once

#include <string>

#include "tuner/space.hpp"

namespace scxlab::tuner {

// Throws SpaceError naming the file, the knob or constraint and the fix, for any bad input
// (unknown keys too: a typo must not silently drop a setting).
Space load_space_file(const std::string& path);
Space parse_space(const std::string& toml_text, const std::string& source_name);

}  // namespace scxlab::tuner
