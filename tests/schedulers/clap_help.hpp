// Reading the --help text of a program built with Rust's clap (the upstream scx schedulers):
// each option's long and short flag, whether it takes a value, its default and its possible
// values. Test code: the manifests are checked against the real binaries' help.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace scxlab::schedulers::test {

struct ClapOption {
  enum class Value { none, required, optional };  // --x, --x <X>, --x[=<X>]
  std::string short_flag;                          // "-s", or "" when it has none
  Value value = Value::none;
  bool multiple = false;                      // --x <X>... (several values) or --x... (a counter)
  std::optional<std::string> default_value;   // [default: x]; [default: ""] reads as ""
  std::vector<std::string> possible_values;   // [possible values: a, b] or a "Possible values:" list
};

// Options by long flag ("--slice-us"). Throws std::runtime_error quoting an option line it
// cannot read, so a change of clap's format fails loudly instead of hiding options.
std::map<std::string, ClapOption> parse_clap_help(const std::string& text);

}  // namespace scxlab::schedulers::test
