// An scx_stats server's replies (metrics/scx_stats.hpp): the stats_meta reply and a stats
// reply, split at the first NUL, as the collector reads them off the socket.
#include <nlohmann/json.hpp>

#include "fuzz/fuzz_input.hpp"
#include "metrics/scx_stats.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [meta, resp] = scxlab::fuzz::two_texts(data, size);
  return scxlab::fuzz::refuse_or_parse([&] {
    const auto meta_json = nlohmann::json::parse(meta, nullptr, false);
    scxlab::metrics::describe_stats(meta_json.is_discarded() ? nlohmann::json() : meta_json,
                                    nlohmann::json::parse(resp));
  });
}
