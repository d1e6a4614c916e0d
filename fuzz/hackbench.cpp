// rt-tests hackbench's stdout (workloads/parsers.hpp).
#include "fuzz/fuzz_input.hpp"
#include "workloads/parsers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return scxlab::fuzz::refuse_or_parse([&] { scxlab::workloads::parse_hackbench(scxlab::fuzz::text(data, size)); });
}
