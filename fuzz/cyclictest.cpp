// cyclictest's text summary and histogram, and its --json file (workloads/parsers.hpp): one
// input, both parsers.
#include "fuzz/fuzz_input.hpp"
#include "workloads/parsers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string out = scxlab::fuzz::text(data, size);
  scxlab::fuzz::refuse_or_parse([&] { scxlab::workloads::parse_cyclictest_text(out); });
  return scxlab::fuzz::refuse_or_parse([&] { scxlab::workloads::parse_cyclictest_json(out); });
}
