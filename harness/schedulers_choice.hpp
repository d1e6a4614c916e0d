// Which scheduler configurations a run compares: the user's specs, or by default every
// scheduler this host can run (the kernel default as the baseline, installed scx schedulers
// and scxlab's own when the kernel has sched_ext).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "schedulers/scheduler.hpp"

namespace scxlab::harness {

// One spec: "NAME[:ITEMS][@LABEL]" or "NAME@LABEL[:ITEMS]" (ITEMS: a preset, knobs, flags,
// binary=PATH; see schedulers::parse_config); the label defaults to the spec without it.
// Throws UsageError.
schedulers::Config config_from_spec(const std::string& spec, const std::vector<schedulers::Manifest>& manifests);

// Specs as above; labels must be unique (the A/A test runs the kernel default twice:
// "eevdf@A,eevdf@B").
std::vector<schedulers::Config> choose_configs(const std::vector<std::string>& specs,
                                               const std::vector<schedulers::Manifest>& manifests);

// The requested label, else the kernel default's, else the first configuration's.
std::string choose_baseline(const std::string& requested, const std::vector<schedulers::Config>& configs,
                            const std::vector<schedulers::Manifest>& manifests);

nlohmann::json configs_to_json(const std::vector<schedulers::Config>& configs);
std::vector<schedulers::Config> configs_from_json(const nlohmann::json& j);

}  // namespace scxlab::harness
