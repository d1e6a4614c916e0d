// The fleet's deployment files in deploy/: the Ansible playbook passes ansible-playbook's
// syntax check; the worker's systemd unit passes systemd-analyze verify without a warning,
// starts `scxlab worker` with options it has and the store from its EnvironmentFile (the file
// the playbook writes) and lets scxlab stop in order; the package installs the unit. There is no fleet here to
// deploy to: these checks are what keeps the files from drifting from the program.
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "catch.hpp"
#include "process.hpp"

using scxlab::test::fresh_temp_dir;
using scxlab::test::run_process;
using scxlab::test::scxlab_binary;
namespace fs = std::filesystem;

namespace {

const fs::path kDeploy = fs::path(SCXLAB_SOURCE_DIR) / "deploy";
const fs::path kUnit = kDeploy / "systemd/scxlab-worker.service";

bool have(const std::string& program) {
  return run_process({"/bin/sh", "-c", "command -v " + program}).exit_code == 0;
}

// run_process execs a path: a tool from PATH goes through env.
scxlab::test::ProcessResult run_tool(std::vector<std::string> argv) {
  argv.insert(argv.begin(), "/usr/bin/env");
  return run_process(argv);
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The value of `key=` in a unit or an environment file; empty when the key is not there.
std::string value_of(const std::string& text, const std::string& key) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex("(^|\n)" + key + "=([^\n]*)"))) return "";
  return m[2];
}

std::string scxlab_help(const std::string& command) {
  const auto r = run_process({scxlab_binary(), command, "--help"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return r.out;
}

}  // namespace

TEST_CASE("the Ansible playbook passes ansible-playbook's syntax check", "[fleet][deploy]") {
  if (!have("ansible-playbook")) {
    WARN("SCXLAB-SKIPPED: ansible-playbook missing (scripts/setup.sh --test installs ansible-core)");
    return;
  }
  const auto r = run_tool({"ansible-playbook", "--syntax-check", "-i", (kDeploy / "ansible/inventory.example.ini").string(),
                           (kDeploy / "ansible/site.yml").string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
}

TEST_CASE("the worker's unit runs scxlab worker with the store from the playbook's file", "[fleet][deploy]") {
  const auto unit = read_text(kUnit);
  CHECK(value_of(unit, "ExecStart").rfind("/usr/bin/scxlab worker --store ${SCXLAB_STORE}", 0) == 0);
  // The playbook writes that file, readable by root only: it holds the store's password.
  const auto environment_file = value_of(unit, "EnvironmentFile");
  CHECK(environment_file == "/etc/default/scxlab-worker");
  const auto playbook = read_text(kDeploy / "ansible/site.yml");
  CHECK(playbook.find("dest: " + environment_file + "\n        owner: root\n        group: root\n        mode: \"0600\"") !=
        std::string::npos);
  CHECK(!value_of(read_text(kDeploy / "ansible/templates/scxlab-worker.default.j2"), "SCXLAB_STORE").empty());
  // scxlab's orderly stop (item released, scheduler stopped, knobs restored) is on SIGINT, exit 130.
  CHECK(value_of(unit, "KillSignal") == "SIGINT");
  CHECK(value_of(unit, "SuccessExitStatus") == "130");
  const auto worker_help = scxlab_help("worker");
  CHECK(worker_help.find("130 interrupted") != std::string::npos);
  // The options the unit and the playbook's default give are the worker's.
  for (const auto* option : {"--store", "--class"}) {
    INFO(option);
    CHECK(worker_help.find(option) != std::string::npos);
  }
}

TEST_CASE("the worker's unit passes systemd-analyze verify without a warning", "[fleet][deploy]") {
  if (!have("systemd-analyze")) {
    WARN("SCXLAB-SKIPPED: systemd-analyze missing (it comes with systemd)");
    return;
  }
  // verify wants ExecStart's program to exist: a copy of the unit, under its own name, that
  // starts this build's scxlab instead of the package's /usr/bin/scxlab.
  const auto copy = fresh_temp_dir("deploy-unit") / kUnit.filename();
  std::ofstream(copy) << std::regex_replace(read_text(kUnit), std::regex("/usr/bin/scxlab"), scxlab_binary());
  const auto r = run_tool({"systemd-analyze", "verify", "--man=no", copy.string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());  // an unknown key or a bad value is only a warning there, exit code 0
  fs::remove_all(copy.parent_path());
}

TEST_CASE("the package installs the worker's unit", "[fleet][deploy]") {
  const auto prefix = fresh_temp_dir("deploy-install");
  const auto r = run_tool({"cmake", "--install", SCXLAB_BINARY_DIR, "--prefix", prefix.string(), "--component", "fleet"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto installed = prefix / "lib/systemd/system/scxlab-worker.service";
  REQUIRE(fs::is_regular_file(installed));
  CHECK(read_text(installed) == read_text(kUnit));
  fs::remove_all(prefix);
}
