// A manifest's knob constraint expression (schedulers/constraint.hpp).
#include "fuzz/fuzz_input.hpp"
#include "schedulers/constraint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return scxlab::fuzz::refuse_or_parse(
      [&] { scxlab::schedulers::ConstraintExpr::parse(scxlab::fuzz::text(data, size)); });
}
