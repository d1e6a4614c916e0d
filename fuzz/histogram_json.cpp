// The sparse histogram encoding of results.db and results.json ([[bucket, count], ...],
// store/store.hpp): what reading a results export back in trusts.
#include <nlohmann/json.hpp>

#include "fuzz/fuzz_input.hpp"
#include "store/store.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return scxlab::fuzz::refuse_or_parse([&] {
    const auto h = scxlab::store::buckets_from_json(nlohmann::json::parse(scxlab::fuzz::text(data, size)));
    (void)h.percentile(99);
  });
}
