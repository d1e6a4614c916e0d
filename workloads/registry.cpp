#include "workloads/registry.hpp"

#include <map>
#include <mutex>

#include "workloads/builtins.hpp"

namespace scxlab::workloads {

const std::vector<Definition>& definitions() {
  static const std::vector<Definition> all = [] {
    std::vector<Definition> d{messaging_workload()};
    return d;
  }();
  return all;
}

const Definition* find_definition(const std::string& name) {
  for (const auto& d : definitions()) {
    if (d.info.name == name) return &d;
  }
  return nullptr;
}

}  // namespace scxlab::workloads
