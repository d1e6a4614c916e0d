// A scheduler manifest (TOML, schedulers/scheduler.hpp) as a user's --manifests directory
// holds it: read through load_manifest_file from an in-memory file, so no disk is written.
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz/fuzz_input.hpp"
#include "schedulers/scheduler.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const int fd = memfd_create("scxlab-fuzz-manifest.toml", 0);
  if (fd < 0 || ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != static_cast<ssize_t>(size)) return 0;
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  return scxlab::fuzz::refuse_or_parse([&] { scxlab::schedulers::load_manifest_file(path); });
}
