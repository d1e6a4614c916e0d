// A scheduler spec ("scx_lavd:gaming,slice_max_us=3000", schedulers/scheduler.hpp) against the
// built-in manifests.
#include "fuzz/fuzz_input.hpp"
#include "schedulers/scheduler.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto manifests = scxlab::schedulers::load_manifests();
  return scxlab::fuzz::refuse_or_parse(
      [&] { scxlab::schedulers::parse_config(scxlab::fuzz::text(data, size), manifests); });
}
