// The CI job files in ci/: valid YAML (parsed by PyYAML, as python3-yaml), and every scxlab
// command line they run names a real subcommand with real options, every repository script they
// call exists. A job file that drifts from the command line fails here, not on a user's runner.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "catch.hpp"
#include "process.hpp"

using scxlab::test::run_process;
using scxlab::test::scxlab_binary;
namespace fs = std::filesystem;

namespace {

const fs::path kSource = SCXLAB_SOURCE_DIR;

std::vector<std::string> ci_files() {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(kSource / "ci")) {
    if (e.path().extension() == ".yml") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// What tests/harness/ci_commands.py finds in the files; empty when PyYAML is missing.
std::optional<nlohmann::json> scan(const std::vector<std::string>& files) {
  if (run_process({"/usr/bin/env", "python3", "-c", "import yaml"}).exit_code != 0) return std::nullopt;
  std::vector<std::string> argv{"/usr/bin/env", "python3", (kSource / "tests/harness/ci_commands.py").string()};
  argv.insert(argv.end(), files.begin(), files.end());
  const auto r = run_process(argv);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

}  // namespace

TEST_CASE("the CI job files parse and run only scxlab commands and options that exist", "[cli][ci]") {
  const auto files = ci_files();
  REQUIRE(files.size() >= 2);  // GitHub Actions and GitLab CI
  const auto found = scan(files);
  if (!found) {
    WARN("SCXLAB-SKIPPED: python3-yaml is not installed (scripts/setup.sh --test installs it)");
    return;
  }
  for (const auto& f : files) {
    INFO(f);
    CHECK((*found)["files"].contains(f));
  }
  std::set<std::string> gating_files;
  for (const auto& c : (*found)["commands"]) {
    const auto command = c["command"].get<std::string>();
    INFO(c["file"].get<std::string>() << ": scxlab " << command);
    const auto help = run_process({scxlab_binary(), command, "--help"});
    REQUIRE(help.exit_code == 0);
    for (const auto& option : c["options"]) {
      INFO("option " << option.get<std::string>());
      CHECK(help.out.find(option.get<std::string>()) != std::string::npos);
    }
    if (command == "gate") gating_files.insert(c["file"].get<std::string>());
  }
  CHECK(gating_files.size() == files.size());  // every job gates
  for (const auto& s : (*found)["scripts"]) {
    INFO(s["file"].get<std::string>() << " calls " << s["path"].get<std::string>());
    CHECK(fs::is_regular_file(kSource / s["path"].get<std::string>()));
  }
}

TEST_CASE("the CI check finds a command line that does not exist", "[cli][ci]") {
  const auto dir = scxlab::test::fresh_temp_dir("ci-files");
  const auto file = (dir / "bad.yml").string();
  {
    std::ofstream out(file);
    out << "jobs:\n  gate:\n    steps:\n      - run: sudo build/scxlab gate --frobnicate 3 --candidate x\n";
  }
  const auto found = scan({file});
  if (!found) {
    WARN("SCXLAB-SKIPPED: python3-yaml is not installed (scripts/setup.sh --test installs it)");
    return;
  }
  REQUIRE((*found)["commands"].size() == 1);
  CHECK((*found)["commands"][0]["options"] == nlohmann::json::array({"--frobnicate", "--candidate"}));
  const auto help = run_process({scxlab_binary(), "gate", "--help"});
  CHECK(help.out.find("--frobnicate") == std::string::npos);
}
