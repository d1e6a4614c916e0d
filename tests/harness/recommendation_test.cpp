// The snippets a recommendation offers are quoted for the program that reads each one.
#include <algorithm>

#include "catch.hpp"
#include "harness/recommendation.hpp"
#include "process.hpp"

using namespace scxlab;

namespace {

harness::Recommendation layered_with_specs(const std::string& specs) {
  const auto manifests = schedulers::load_manifests();
  const auto m = std::find_if(manifests.begin(), manifests.end(), [](const auto& x) { return x.name == "scx_layered"; });
  REQUIRE(m != manifests.end());
  harness::Recommendation r;
  r.manifest = *m;
  r.config.scheduler = m->name;
  r.config.label = m->name;
  r.config.knobs["specs"] = specs;
  return r;
}

}  // namespace

TEST_CASE("/etc/default/scx holds what scx.service can pass, and says why when it cannot", "[recommendation]") {
  const auto plain = harness::use_snippets(layered_with_specs("f:/etc/scx/layers.json"));
  CHECK(plain.etc_default_scx == "SCX_SCHEDULER=\"scx_layered\"\nSCX_FLAGS=\"f:/etc/scx/layers.json\"");

  const auto spaced = harness::use_snippets(layered_with_specs("f:/etc/my layers.json"));
  CHECK(spaced.etc_default_scx.rfind("# ", 0) == 0);
  CHECK(spaced.etc_default_scx.find("'f:/etc/my layers.json'") != std::string::npos);
  // The command line still carries it: a shell gives back the one argument.
  const auto r = test::run_process({"/bin/sh", "-c", "printf '%s|' " + spaced.command.substr(spaced.command.find(' ') + 1)});
  CHECK(r.out == "f:/etc/my layers.json|");
}
