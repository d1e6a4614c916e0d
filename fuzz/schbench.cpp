// schbench's stdout (the JSON of -j -) and stderr (the text blocks), split at the first NUL.
#include "fuzz/fuzz_input.hpp"
#include "workloads/parsers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [out, err] = scxlab::fuzz::two_texts(data, size);
  return scxlab::fuzz::refuse_or_parse([&] { scxlab::workloads::parse_schbench(out, err); });
}
