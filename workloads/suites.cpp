// Suites: named lists of workload runs, built in (workloads/suites/*.toml, embedded) or read
// from a TOML file a user points at.
#include <filesystem>
#include <fstream>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include "stats/embedded_text.hpp"
#include "workloads/workload.hpp"

namespace scxlab {
std::vector<EmbeddedText> builtin_suites();
}

namespace scxlab::workloads {
namespace {

std::string value_text(const toml::node& n) {
  if (auto s = n.value<std::string>()) return *s;
  if (auto b = n.value<bool>(); b && n.is_boolean()) return *b ? "true" : "false";
  if (n.is_integer()) return std::to_string(*n.value<long long>());
  if (auto d = n.value<double>()) return fmt::format("{}", *d);
  throw std::runtime_error("parameter values must be strings, numbers or booleans");
}

// "command:x.toml" in a suite file read from disk means x.toml beside the suite file.
std::string resolve_command(const std::string& workload, const std::filesystem::path& suite_dir) {
  const std::string prefix = "command:";
  if (workload.rfind(prefix, 0) != 0 || suite_dir.empty()) return workload;
  const std::filesystem::path file = workload.substr(prefix.size());
  return file.is_absolute() ? workload : prefix + (suite_dir / file).lexically_normal().string();
}

Suite parse_suite(const std::string& text, const std::string& origin, const std::filesystem::path& suite_dir) {
  toml::table t;
  try {
    t = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    throw std::runtime_error(fmt::format("suite {}: {} (line {})", origin, e.description(), e.source().begin.line));
  }
  Suite s;
  s.name = t["name"].value_or(std::string());
  s.description = t["description"].value_or(std::string());
  const auto* entries = t["entry"].as_array();
  if (s.name.empty() || !entries || entries->empty()) {
    throw std::runtime_error(fmt::format("suite {}: needs `name` and at least one [[entry]]", origin));
  }
  std::set<std::string> labels;
  for (const auto& node : *entries) {
    const auto* e = node.as_table();
    if (!e) throw std::runtime_error(fmt::format("suite {}: entry must be an array of tables: [[entry]]", origin));
    SuiteEntry entry;
    entry.workload = resolve_command((*e)["workload"].value_or(std::string()), suite_dir);
    entry.label = (*e)["label"].value_or(entry.workload);
    if (entry.workload.empty()) throw std::runtime_error(fmt::format("suite {}: an [[entry]] has no workload", origin));
    if (!labels.insert(entry.label).second) {
      throw std::runtime_error(fmt::format("suite {}: label '{}' is used twice (labels name table rows: make them unique)",
                                           origin, entry.label));
    }
    if (const auto* params = (*e)["params"].as_table()) {
      for (const auto& [k, v] : *params) entry.params[std::string(k.str())] = value_text(v);
    }
    s.entries.push_back(std::move(entry));
  }
  return s;
}

}  // namespace

std::vector<std::string> list_suites() {
  std::vector<std::string> names;
  for (const auto& f : builtin_suites()) names.push_back(std::filesystem::path(f.name).stem().string());
  return names;
}

Suite load_suite(const std::string& name_or_path) {
  for (const auto& f : builtin_suites()) {
    if (std::filesystem::path(f.name).stem() == name_or_path) return parse_suite(f.contents, f.name, {});
  }
  if (std::filesystem::exists(name_or_path)) {
    std::ifstream in(name_or_path);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return parse_suite(text, name_or_path, std::filesystem::absolute(name_or_path).parent_path());
  }
  throw std::runtime_error(fmt::format("no suite named '{}' (built in: {}; or give a path to a TOML file)",
                                       name_or_path, fmt::join(list_suites(), ", ")));
}

}  // namespace scxlab::workloads
