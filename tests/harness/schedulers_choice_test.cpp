// Which configurations a run compares, from the user's -s specs.
#include <string>
#include <vector>

#include <boost/algorithm/string.hpp>

#include "catch.hpp"
#include "harness/errors.hpp"
#include "harness/schedulers_choice.hpp"

using namespace scxlab;

namespace {

// The "e.g. A,B" suggestion at the end of a message.
std::vector<std::string> suggested_specs(const std::string& message) {
  const auto at = message.rfind("e.g. ");
  REQUIRE(at != std::string::npos);
  std::vector<std::string> specs;
  boost::split(specs, message.substr(at + 5), boost::is_any_of(","));
  return specs;
}

}  // namespace

TEST_CASE("a repeated scheduler is refused with a suggestion that itself parses", "[choice]") {
  const auto manifests = schedulers::load_manifests();
  for (const auto& specs : {std::vector<std::string>{"eevdf@A", "eevdf@A"},
                                               std::vector<std::string>{"eevdf", "eevdf"}}) {
    INFO(specs[0] << "," << specs[1]);
    try {
      harness::choose_configs(specs, manifests);
      FAIL("a repeated label was accepted");
    } catch (const harness::UsageError& e) {
      const auto suggestion = suggested_specs(e.what());
      INFO(e.what());
      const auto configs = harness::choose_configs(suggestion, manifests);
      REQUIRE(configs.size() == 2);
      CHECK(configs[0].label != configs[1].label);
      CHECK(configs[0].scheduler == configs[1].scheduler);
    }
  }
}
