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

}  // namespace scxlab::harness
