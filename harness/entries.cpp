#include "harness/entries.hpp"

#include <set>

#include <fmt/format.h>

#include "harness/errors.hpp"

namespace scxlab::harness {

std::vector<Entry> resolve_entries(const std::string& suite_name, const std::vector<std::string>& workload_specs) {
  std::vector<Entry> entries;
  if (!workload_specs.empty()) {
    for (const auto& spec : workload_specs) entries.push_back(parse_entry(spec));
  } else {
    workloads::Suite suite;
    try {
      suite = workloads::load_suite(suite_name);
    } catch (const std::exception& e) {
      throw UsageError(e.what());
    }
    for (const auto& se : suite.entries) entries.push_back(make_entry(se.label, se.workload, se.params));
  }
  std::set<std::string> labels;
  for (auto& e : entries) {
    std::string label = e.label;
    for (int n = 2; labels.count(label); ++n) label = fmt::format("{}#{}", e.label, n);
    e.label = label;
    labels.insert(label);
  }
  return entries;
}

nlohmann::json entries_to_json(const std::vector<Entry>& entries) {
  auto out = nlohmann::json::array();
  for (const auto& e : entries) {
    out.push_back({{"label", e.label}, {"workload", e.workload}, {"params", e.params}});
  }
  return out;
}

std::vector<Entry> entries_from_json(const nlohmann::json& j) {
  std::vector<Entry> entries;
  for (const auto& e : j) {
    entries.push_back(make_entry(e.at("label"), e.at("workload"), e.at("params").get<workloads::Params>()));
  }
  return entries;
}

Entry make_entry(const std::string& label, const std::string& workload, const workloads::Params& params) {
  const auto info = workloads::find_workload(workload);
  if (!info) {
    std::string names;
    for (const auto& w : workloads::list_workloads()) names += (names.empty() ? "" : ", ") + w.name;
    throw UsageError(fmt::format("unknown workload '{}' (valid: {})", workload, names));
  }
  const auto validated = workloads::validate(workload, params);
  if (!validated.params) throw UsageError(validated.error);
  Entry e{label, workload, *validated.params, {}};
  for (const auto& m : info->metrics) {
    if (m.headline) e.headline.insert(m.name);
  }
  return e;
}

Entry parse_entry(const std::string& spec) {
  // "command:FILE.toml:loops=10": the name is the prefix and the file, params after them.
  const std::string command_prefix = "command:";
  const auto name_from = spec.rfind(command_prefix, 0) == 0 ? command_prefix.size() : 0;
  const auto colon = spec.find(':', name_from);
  const auto name = spec.substr(0, colon);
  workloads::Params params;
  if (colon != std::string::npos) {
    std::string rest = spec.substr(colon + 1);
    for (std::size_t start = 0; start < rest.size();) {
      auto comma = rest.find(',', start);
      if (comma == std::string::npos) comma = rest.size();
      const auto kv = rest.substr(start, comma - start);
      const auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        throw UsageError(fmt::format("workload '{}': expected key=value, got '{}' (e.g. {}:groups=4,loops=100)",
                                     name, kv, name));
      }
      if (!params.emplace(kv.substr(0, eq), kv.substr(eq + 1)).second) {
        throw UsageError(fmt::format("workload '{}': '{}' is given twice: keep one value", name, kv.substr(0, eq)));
      }
      start = comma + 1;
    }
  }
  return make_entry(name, name, params);
}

}  // namespace scxlab::harness
