#include "clap_help.hpp"

#include <regex>
#include <sstream>
#include <stdexcept>

namespace scxlab::schedulers::test {
namespace {

// "  -s, --slice-us <SLICE_US>", "      --partial", "      --virt-llc[=<VIRT_LLC>]",
// "  -v, --verbose...": two spaces, a short flag and ", " or four spaces, the long flag.
const std::regex kOptionLine(R"(^  (?:(-[A-Za-z0-9]), |    )(--[A-Za-z0-9][A-Za-z0-9-]*)(.*)$)");
const std::regex kValueSuffix(R"(^(?:( <[A-Z0-9_]+>)|(\[=<[A-Z0-9_]+>\]))?(\.\.\.)?$)");
const std::regex kDefault(R"(^\s+\[default: (.*)\]$)");
const std::regex kPossibleValues(R"(^\s+\[possible values: (.*)\]$)");
const std::regex kPossibleValuesHeading(R"(^\s+Possible values:$)");
const std::regex kPossibleValueItem(R"(^\s+- ([^:\s]+):.*$)");

ClapOption option_from(const std::smatch& line) {
  std::smatch suffix;
  const std::string rest = line[3];
  if (!std::regex_match(rest, suffix, kValueSuffix)) {
    throw std::runtime_error("unreadable clap option line: '" + line.str() + "'");
  }
  ClapOption o;
  o.short_flag = line[1];
  if (suffix[1].matched) o.value = ClapOption::Value::required;
  if (suffix[2].matched) o.value = ClapOption::Value::optional;
  o.multiple = suffix[3].matched;
  return o;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    const auto start = item.find_first_not_of(' ');
    if (start != std::string::npos) out.push_back(item.substr(start));
  }
  return out;
}

}  // namespace

std::map<std::string, ClapOption> parse_clap_help(const std::string& text) {
  std::map<std::string, ClapOption> options;
  ClapOption* current = nullptr;
  bool in_value_list = false;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_match(line, m, kOptionLine)) {
      current = &(options[m[2]] = option_from(m));
      in_value_list = false;
    } else if (!line.empty() && line[0] != ' ') {
      current = nullptr;  // a heading ("Libbpf Options:") or the description above the options
    } else if (current && std::regex_match(line, m, kDefault)) {
      current->default_value = m[1] == "\"\"" ? std::string() : std::string(m[1]);
      in_value_list = false;
    } else if (current && std::regex_match(line, m, kPossibleValues)) {
      current->possible_values = split_list(m[1]);
    } else if (current && std::regex_match(line, kPossibleValuesHeading)) {
      in_value_list = true;
    } else if (current && in_value_list) {
      in_value_list = std::regex_match(line, m, kPossibleValueItem);  // the list ends at its first other line
      if (in_value_list) current->possible_values.push_back(m[1]);
    }
  }
  return options;
}

}  // namespace scxlab::schedulers::test
