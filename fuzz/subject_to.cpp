// A `scxlab tune --subject-to` bound ("fps.avg >= 0.97*baseline", harness/tune.hpp).
#include "fuzz/fuzz_input.hpp"
#include "harness/bounds.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return scxlab::fuzz::refuse_or_parse([&] { scxlab::harness::parse_bound(scxlab::fuzz::text(data, size)); });
}
