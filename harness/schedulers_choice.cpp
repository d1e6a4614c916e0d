#include "harness/schedulers_choice.hpp"

#include <set>

#include <fmt/format.h>

#include "harness/errors.hpp"

namespace scxlab::harness {
namespace {

// "NAME[:ITEMS][@LABEL]" or "NAME@LABEL[:ITEMS]": the spec without its label, and the label.
std::pair<std::string, std::string> split_label(const std::string& spec) {
  const auto colon = spec.find(':');
  const auto first_at = spec.find('@');
  if (first_at != std::string::npos && first_at < colon) {  // NAME@LABEL:ITEMS
    const auto label_end = colon == std::string::npos ? spec.size() : colon;
    return {spec.substr(0, first_at) + spec.substr(label_end), spec.substr(first_at + 1, label_end - first_at - 1)};
  }
  const auto at = spec.rfind('@');
  if (at == std::string::npos) return {spec, ""};
  return {spec.substr(0, at), spec.substr(at + 1)};
}

std::vector<schedulers::Config> available_configs(const std::vector<schedulers::Manifest>& manifests) {
  std::vector<schedulers::Config> configs;
  const auto default_name = schedulers::default_scheduler_name();
  for (const auto& row : schedulers::list_schedulers(manifests)) {
    if (!row.runnable || !row.manifest.default_shootout) continue;
    schedulers::Config c;
    c.scheduler = row.manifest.name;
    c.label = row.manifest.backend == schedulers::BackendKind::kernel ? default_name : row.manifest.name;
    // The kernel default first: it is the baseline every other scheduler is compared with.
    if (row.manifest.backend == schedulers::BackendKind::kernel) configs.insert(configs.begin(), c);
    else configs.push_back(c);
  }
  return configs;
}

// The spec with its "@LABEL" suffix removed, so a suggested label replaces it rather than
// stacking a second one ("eevdf@A@B" does not parse).
std::string without_label(std::string spec, const std::string& label) {
  const auto at = spec.rfind("@" + label);
  if (at != std::string::npos) spec.erase(at, label.size() + 1);
  return spec;
}

}  // namespace

schedulers::Config config_from_spec(const std::string& spec, const std::vector<schedulers::Manifest>& manifests) {
  const auto [body, label] = split_label(spec);
  schedulers::Config c;
  try {
    c = schedulers::parse_config(body, manifests);
  } catch (const std::exception& e) {
    throw UsageError(e.what());
  }
  c.label = label.empty() ? body : label;
  return c;
}

std::vector<schedulers::Config> choose_configs(const std::vector<std::string>& specs,
                                               const std::vector<schedulers::Manifest>& manifests) {
  if (specs.empty()) return available_configs(manifests);
  std::vector<schedulers::Config> configs;
  std::set<std::string> labels;
  for (const auto& spec : specs) {
    auto c = config_from_spec(spec, manifests);
    if (!labels.insert(c.label).second) {
      const auto unlabelled = without_label(spec, c.label);
      throw UsageError(fmt::format("scheduler '{}' appears twice: give each its own label, e.g. {}@A,{}@B",
                                   c.label, unlabelled, unlabelled));
    }
    configs.push_back(std::move(c));
  }
  return configs;
}

std::string choose_baseline(const std::string& requested, const std::vector<schedulers::Config>& configs,
                            const std::vector<schedulers::Manifest>& manifests) {
  if (!requested.empty()) {
    for (const auto& c : configs) {
      if (c.label == requested) return requested;
    }
    std::string labels;
    for (const auto& c : configs) labels += (labels.empty() ? "" : ", ") + c.label;
    throw UsageError(fmt::format("--baseline {}: not one of the schedulers in this run ({})", requested, labels));
  }
  for (const auto& c : configs) {
    for (const auto& m : manifests) {
      if (m.name == c.scheduler && m.backend == schedulers::BackendKind::kernel) return c.label;
    }
  }
  return configs.empty() ? "" : configs.front().label;
}

nlohmann::json configs_to_json(const std::vector<schedulers::Config>& configs) {
  auto out = nlohmann::json::array();
  for (const auto& c : configs) {
    out.push_back({{"scheduler", c.scheduler},
                   {"label", c.label},
                   {"preset", c.preset},
                   {"knobs", c.knobs},
                   {"extra_args", c.extra_args},
                   {"binary", c.binary}});
  }
  return out;
}

std::vector<schedulers::Config> configs_from_json(const nlohmann::json& j) {
  std::vector<schedulers::Config> configs;
  for (const auto& c : j) {
    configs.push_back({c.at("scheduler"), c.at("label"), c.at("preset"),
                       c.at("knobs").get<std::map<std::string, std::string>>(),
                       c.at("extra_args").get<std::vector<std::string>>(), c.value("binary", "")});
  }
  return configs;
}

}  // namespace scxlab::harness
