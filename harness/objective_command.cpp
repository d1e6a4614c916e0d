#include "harness/objective_command.hpp"

#include <filesystem>
#include <regex>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "base/files.hpp"
#include "harness/errors.hpp"

namespace scxlab::harness {
namespace {

// The last number on stdout: integers, decimals and exponents, signed.
constexpr const char* kLastNumber = R"(([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?))";

}  // namespace

void check_command(const std::string& command, const tuner::Space& space) {
  static const std::regex placeholder(R"(\{([A-Za-z0-9_]+)\})");
  for (std::sregex_iterator it(command.begin(), command.end(), placeholder), end; it != end; ++it) {
    const auto name = (*it)[1].str();
    const bool shell_variable = it->position() > 0 && command[static_cast<std::size_t>(it->position()) - 1] == '$';
    if (!shell_variable && name != "scratch" && !space.index_of(name)) {
      throw UsageError(fmt::format("--command: {{{}}} is not a knob of the space (knobs: {})", name,
                                   space.describe(space.defaults())));
    }
  }
}

std::string write_objective_workload(const std::string& dir, const std::string& command, const tuner::Space& space,
                                     const std::string& metric, Direction direction) {
  check_command(command, space);
  toml::array params;
  for (const auto& k : space.knobs()) {
    params.push_back(toml::table{{"name", k.name}, {"type", "string"},
                                 {"default", tuner::to_string(k.default_value)}, {"help", "a knob of the space"}});
  }
  toml::table doc{{"name", "objective"},
                  {"summary", "scxlab tune --command: " + command},
                  {"command", command},
                  {"param", params},
                  {"metric", toml::array{toml::table{
                                 {"name", metric},
                                 {"unit", ""},
                                 {"direction", direction == Direction::higher_is_better ? "higher_is_better"
                                                                                         : "lower_is_better"},
                                 {"regex", kLastNumber},
                                 {"headline", true}}}}};
  std::ostringstream text;
  text << "# Written by scxlab tune --command; the format is workloads/README.md's.\n" << doc << "\n";
  const auto path = std::filesystem::absolute(std::filesystem::path(dir) / "objective.toml").string();
  base::write_file_atomically(path, text.str());
  return "command:" + path;
}

std::string with_values(const std::string& command, const tuner::Space& space, const tuner::Config& config) {
  std::string out = command;
  for (std::size_t i = 0; i < space.knobs().size(); ++i) {
    const auto placeholder = "{" + space.knobs()[i].name + "}";
    const auto value = tuner::to_string(config.values.at(i));
    for (auto at = out.find(placeholder); at != std::string::npos; at = out.find(placeholder, at + value.size()))
      out.replace(at, placeholder.size(), value);
  }
  return out;
}

}  // namespace scxlab::harness
