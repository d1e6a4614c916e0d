// The gate's exit code for each outcome: what a CI job branches on.
#include "catch.hpp"
#include "harness/errors.hpp"
#include "harness/gate.hpp"

using namespace scxlab;

TEST_CASE("each gate outcome has its documented exit code", "[gate]") {
  CHECK(harness::gate_exit_code(stats::Outcome::pass) == 0);
  CHECK(harness::gate_exit_code(stats::Outcome::regression) == 1);
  CHECK(harness::gate_exit_code(stats::Outcome::inconclusive) == 3);
  // The others come from elsewhere and must stay distinct from these.
  CHECK(harness::kExitUsage == 2);
  CHECK(harness::kExitInterrupted == 130);
}
