#include "workloads/work_unit.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/files.hpp"

namespace scxlab::workloads {
namespace fs = std::filesystem;
namespace {

constexpr int kTrials = 15;
constexpr double kTrialUs = 2000;  // long enough for the clock, short enough to often run unpreempted

std::int64_t thread_cpu_ns() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Thread CPU time of burn(loops), in ns.
double timed_burn(std::uint64_t loops) {
  const auto t0 = thread_cpu_ns();
  const auto result = burn(loops);
  asm volatile("" : : "r"(result));
  return static_cast<double>(std::max<std::int64_t>(1, thread_cpu_ns() - t0));
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0 || line.rfind("CPU part", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
    }
  }
  return "unknown";
}

nlohmann::json host_key() {
  return {{"cpu_model", cpu_model()},
          {"cpus", std::thread::hardware_concurrency()},
          {"work_kernel_version", kWorkKernelVersion}};
}

std::vector<std::string> cache_dirs() {
  std::vector<std::string> dirs;
  if (const char* d = std::getenv("SCXLAB_CACHE_DIR"); d && *d) dirs.emplace_back(d);
  if (geteuid() == 0) dirs.emplace_back("/var/cache/scxlab");
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) {
    dirs.push_back((fs::path(x) / "scxlab").string());
  } else if (const char* h = std::getenv("HOME"); h && *h) {
    dirs.push_back((fs::path(h) / ".cache" / "scxlab").string());
  }
  return dirs;
}

std::optional<double> read_cache(const fs::path& file, const nlohmann::json& key) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  try {
    const auto j = nlohmann::json::parse(in);
    if (j.at("key") != key) return std::nullopt;
    const double v = j.at("loops_per_us").get<double>();
    if (v > 0 && std::isfinite(v)) return v;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

// Writes atomically; false when the directory is not writable.
bool write_cache(const fs::path& file, const nlohmann::json& key, double loops_per_us) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  try {
    base::write_file_atomically(file.string(), nlohmann::json{{"key", key}, {"loops_per_us", loops_per_us}}.dump(2) + "\n");
    return true;
  } catch (const base::FileError&) {
    return false;
  }
}

}  // namespace

WorkCalibration calibrate_with_cache(const std::vector<std::string>& dirs) {
  const auto key = host_key();
  for (const auto& dir : dirs) {
    const auto file = fs::path(dir) / "work-unit.json";
    if (auto v = read_cache(file, key)) return {*v, "cached in " + file.string()};
  }
  const double measured = measure_loops_per_us();
  for (const auto& dir : dirs) {
    const auto file = fs::path(dir) / "work-unit.json";
    if (write_cache(file, key, measured)) return {measured, "measured now, cached in " + file.string()};
  }
  return {measured, "measured now (no writable cache directory)"};
}

std::uint64_t burn(std::uint64_t loops) {
  thread_local std::array<std::uint64_t, 2048> buf{};
  std::uint64_t x = 0x9E3779B97F4A7C15ULL;
  for (std::uint64_t i = 0; i < loops; ++i) {
    x = x * 6364136223846793005ULL + buf[x >> 53] + 1442695040888963407ULL;
    buf[i & (buf.size() - 1)] ^= x;
  }
  return x;
}

double measure_loops_per_us() {
  timed_burn(100'000);  // warm the buffer and the frequency
  const double probe_ns = timed_burn(100'000);
  const auto loops = static_cast<std::uint64_t>(std::max(1000.0, 100'000 * kTrialUs * 1000 / probe_ns));
  double best_ns = std::numeric_limits<double>::max();
  for (int i = 0; i < kTrials; ++i) best_ns = std::min(best_ns, timed_burn(loops));
  return static_cast<double>(loops) / (best_ns / 1000.0);
}

const WorkCalibration& work_calibration() {
  static const WorkCalibration calibration = calibrate_with_cache(cache_dirs());
  return calibration;
}

void work_us(double us) {
  if (us <= 0) return;
  const auto result = burn(static_cast<std::uint64_t>(std::llround(us * work_calibration().loops_per_us)));
  asm volatile("" : : "r"(result));  // keep the computation: its result is otherwise unused
}

}  // namespace scxlab::workloads
