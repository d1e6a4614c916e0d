// A user's search space in TOML, so anything can be tuned
// (`scxlab tune --space FILE --command CMD`, the command naming knobs as {knob}):
//
//   name = "my-program"              # optional; default: the file's stem
//
//   [[knob]]                         # one table per knob, in the order the space lists them
//   name = "threads"                 # required, lower_snake_case, unique
//   type = "int"                     # required: int | real | bool | choice
//   range = [1, 64]                  # int, real (required): the tuning range, inclusive
//   step = 1                         # int only: grid step (default 1); the range's width must
//                                    #   be a multiple of it
//   scale = "log"                    # int, real: linear (default) | log (ranges from 0 up)
//   default = 8                      # required: in the range (on the grid), or one of the choices
//   flag = "--threads"               # optional: the command-line flag an export writes
//   style = "value"                  # value: --threads 8 (default) | equals: --threads=8 |
//                                    #   presence (bool only): --turbo when true, nothing when false
//   tune = true                      # optional; false holds the knob at its default
//   unit = "count"                   # optional, kept in Knob::meta["unit"]
//
//   [[knob]]
//   name = "mode"
//   type = "choice"
//   choices = ["fast", "safe"]       # choice only (required): at least two names
//   default = "safe"
//
//   [[constraint]]                   # optional, any number
//   expr = "min_us <= max_us"        # linear in the knobs' own units: sums of terms NUMBER*knob,
//                                    #   knob or NUMBER joined by + and -, compared with <= or >=;
//                                    #   chains "a <= b <= 100" give one constraint per link
//
// Every key is checked: an unknown or misplaced key (e.g. `step` on a real knob), a value of
// the wrong type or out of range is an error naming the file, the knob or constraint and
// the fix, never a silently dropped setting. The defaults must satisfy the constraints.
// Example: tuner/examples/quadratic.toml.
#pragma once

#include <string>

#include "tuner/space.hpp"

namespace scxlab::tuner {

// Reads and parses the space file at `path`; throws SpaceError (see above) for any bad input,
// including an unreadable file.
Space load_space_file(const std::string& path);
// The same from text; `source_name` is the file name used in messages and for the default
// space name (its stem).
Space parse_space(const std::string& toml_text, const std::string& source_name);

}  // namespace scxlab::tuner
