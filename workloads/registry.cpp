#include "workloads/registry.hpp"

#include <map>
#include <memory>
#include <mutex>

#include "workloads/background.hpp"
#include "workloads/builtins.hpp"

namespace scxlab::workloads {
namespace {

constexpr std::string_view kCommandPrefix = "command:";

std::vector<Definition> build_definitions() {
  std::vector<Definition> all{messaging_workload(), request_workload(), frames_workload()};
  for (auto& d : tool_workloads()) all.push_back(std::move(d));
  std::vector<std::string> names;
  for (const auto& d : all) names.push_back(d.info.name);
  for (auto& d : all) d.info.params.push_back(background_param(names));
  return all;
}

const Definition* load_command(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<Definition>> loaded;
  const std::lock_guard lock(mutex);
  auto& slot = loaded[path];
  if (!slot) {
    auto def = command_workload(path);
    std::vector<std::string> names;
    for (const auto& d : definitions()) names.push_back(d.info.name);
    def.info.params.push_back(background_param(names));
    slot = std::make_unique<Definition>(std::move(def));
  }
  return slot.get();
}

}  // namespace

const std::vector<Definition>& definitions() {
  static const std::vector<Definition> all = build_definitions();
  return all;
}

const Definition* find_definition(const std::string& name) {
  if (name.rfind(kCommandPrefix, 0) == 0) {
    return load_command(name.substr(kCommandPrefix.size()));
  }
  for (const auto& d : definitions()) {
    if (d.info.name == name) return &d;
  }
  return nullptr;
}

ParamSpec background_param(const std::vector<std::string>& workload_names) {
  auto choices = BackgroundLoad::builtin_kinds();
  choices.insert(choices.end(), workload_names.begin(), workload_names.end());
  return {"background",
          "enum",
          "none",
          "load in a separate process tree while this runs, never counted as the workload: none, hogs (a CPU hog "
          "per CPU), build (fork/exec churn like a parallel build), or a workload's name (run repeatedly with "
          "its defaults)",
          std::nullopt,
          std::nullopt,
          choices};
}

}  // namespace scxlab::workloads
