// A tune space file (tuner/space_file.hpp), TOML.
#include "fuzz/fuzz_input.hpp"
#include "tuner/space_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return scxlab::fuzz::refuse_or_parse(
      [&] { scxlab::tuner::parse_space(scxlab::fuzz::text(data, size), "fuzz.toml"); });
}
