// A results.json export read back: what `scxlab gate --baseline results.json` and `scxlab
// compare` trust when they read an earlier CI job's artifact.
#include <nlohmann/json.hpp>

#include "fuzz/fuzz_input.hpp"
#include "store/store.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return scxlab::fuzz::refuse_or_parse([&] {
    const auto json = nlohmann::json::parse(scxlab::fuzz::text(data, size));
    (void)scxlab::store::run_from_json(json, "fuzz input");
  });
}
