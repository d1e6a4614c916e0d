#include "vm_support.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/process.hpp>
#include <cstdlib>
#include <fstream>
#include <future>
#include <sstream>
#include <stdexcept>

namespace bp = boost::process;

namespace scxlab::test {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "scxlab-vm-test-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path vm_cache() {
  const char* cache = std::getenv("SCXLAB_VM_CACHE");
  return cache && *cache ? cache : "/var/cache/scxlab/vm";
}

std::string vm_kernel_version() {
  const auto text = read_file(vm_cache() / "kernel-version");
  return text.substr(0, text.find('\n'));
}

std::filesystem::path vm_examples_dir() { return vm_cache() / "examples" / vm_kernel_version(); }

std::filesystem::path source_path(const std::string& relative) { return std::filesystem::path(SCXLAB_SOURCE_DIR) / relative; }
std::filesystem::path build_path(const std::string& relative) { return std::filesystem::path(SCXLAB_BINARY_DIR) / relative; }

VmRun vm_run(const std::vector<std::string>& options, const std::vector<std::string>& command,
             const std::filesystem::path& results) {
  std::vector<std::string> args{"run", "--build-dir", SCXLAB_BINARY_DIR, "--results", results.string()};
  args.insert(args.end(), options.begin(), options.end());
  args.emplace_back("--");
  args.insert(args.end(), command.begin(), command.end());
  boost::asio::io_context io;
  std::future<std::string> out, err;
  bp::child vm(source_path("scripts/vm/vm.sh").string(), args, bp::std_in < bp::null, bp::std_out > out,
               bp::std_err > err, io);
  io.run();
  vm.wait();
  return {vm.exit_code(), out.get(), err.get(), results};
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::map<std::string, std::string> read_key_values(const std::filesystem::path& path) {
  std::map<std::string, std::string> kv;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return kv;
}

}  // namespace scxlab::test
