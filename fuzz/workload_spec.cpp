// A workload spec ("messaging:groups=4,loops=5", harness/lab.hpp), validated against the
// built-in workloads' parameters.
#include "fuzz/fuzz_input.hpp"
#include "harness/entries.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return scxlab::fuzz::refuse_or_parse([&] { scxlab::harness::parse_entry(scxlab::fuzz::text(data, size)); });
}
