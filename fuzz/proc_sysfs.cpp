// The readers of /proc and sysfs files (metrics/proc_collector.hpp, metrics/bpf_collector.hpp):
// /proc/stat, /proc/pressure/cpu, a CPU's cpufreq and cache files. The input, split at NUL
// bytes, becomes the files' contents in a private directory laid out like the kernel's; a
// kernel that prints something new must not crash scxlab or make it read out of bounds.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "fuzz/fuzz_input.hpp"
#include "metrics/bpf_collector.hpp"
#include "metrics/proc_collector.hpp"

namespace {

namespace fs = std::filesystem;

const fs::path& root() {
  static const fs::path dir = [] {
    const auto d = fs::temp_directory_path() / ("scxlab-fuzz-proc-sysfs-" + std::to_string(getpid()));
    fs::create_directories(d / "cpu0" / "cache" / "index0");
    fs::create_directories(d / "cpu0" / "cpufreq");
    return d;
  }();
  return dir;
}

std::vector<std::string> split_at_nul(const std::string& all) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (auto nul = all.find('\0'); nul != std::string::npos; nul = all.find('\0', start)) {
    parts.push_back(all.substr(start, nul - start));
    start = nul + 1;
  }
  parts.push_back(all.substr(start));
  return parts;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace scxlab;
  const auto parts = split_at_nul(fuzz::text(data, size));
  const char* files[] = {"stat", "pressure", "cpu0/cpufreq/scaling_cur_freq", "cpu0/cache/index0/level",
                         "cpu0/cache/index0/type", "cpu0/cache/index0/shared_cpu_list"};
  for (std::size_t i = 0; i < std::size(files); ++i) {
    std::ofstream(root() / files[i], std::ios::trunc) << (i < parts.size() ? parts[i] : "");
  }
  fuzz::refuse_or_parse([&] { metrics::read_cpu_times((root() / "stat").string()); });
  fuzz::refuse_or_parse([&] { metrics::read_cpu_pressure((root() / "pressure").string()); });
  fuzz::refuse_or_parse([&] { metrics::read_mean_cpu_freq_mhz(root().string()); });
  return fuzz::refuse_or_parse([&] { metrics::llc_of_cpus(root().string(), 1); });
}
