// The scxlab command's answers to bad input: one line naming the problem and the fix, exit 2.
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "catch.hpp"
#include "harness/host.hpp"
#include "process.hpp"

namespace harness = scxlab::harness;
using scxlab::test::run_process;
using scxlab::test::scxlab_binary;
namespace fs = std::filesystem;

namespace {

int count_lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

}  // namespace

TEST_CASE("unknown command: one line, exit 2", "[cli]") {
  const auto r = run_process({scxlab_binary(), "frobnicate"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("frobnicate") != std::string::npos);
  CHECK(count_lines(r.err) == 1);
}

TEST_CASE("unknown option: one line naming it, exit 2", "[cli]") {
  const auto r = run_process({scxlab_binary(), "shootout", "--frobnicate"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--frobnicate") != std::string::npos);
  CHECK(count_lines(r.err) == 1);
}

TEST_CASE("a bad percentage names the option and the expected form", "[cli]") {
  const auto r = run_process({scxlab_binary(), "shootout", "--target-ci", "lots"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--target-ci lots") != std::string::npos);
  CHECK(r.err.find("3%") != std::string::npos);
}

TEST_CASE("a bare number above 1 is refused with the two spellings that mean it", "[cli]") {
  const auto r = run_process({scxlab_binary(), "shootout", "--target-ci", "2"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("write 2% or 0.02") != std::string::npos);
  CHECK(count_lines(r.err) == 1);
  for (const auto* outside : {"0", "100%", "-3%", "nan", "3%%"}) {
    INFO(outside);
    const auto bad = run_process({scxlab_binary(), "shootout", "--min-effect", outside});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find(std::string("--min-effect ") + outside) != std::string::npos);
  }
}

TEST_CASE("a broken manifest in a user's directory is bad input: exit 2 naming the file and line", "[cli]") {
  const auto dir = scxlab::test::fresh_temp_dir("bad-manifest");
  const auto file = dir / "scx_broken.toml";
  for (const auto* text : {"name = \"scx_broken\"\nbackend = 5\n", "name = \"scx_broken\"\nsummry = \"typo\"\n",
                           "name = \"scx_broken\n"}) {
    INFO(text);
    std::ofstream(file) << text;
    const auto r = run_process({scxlab_binary(), "shootout", "--manifests", dir.string(), "--out", (dir / "out").string()});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(file.string()) != std::string::npos);
    CHECK(r.err.find("line ") != std::string::npos);
    CHECK(r.err.find("internal error") == std::string::npos);
    CHECK(count_lines(r.err) == 1);
  }
  fs::remove_all(dir);
}

TEST_CASE("help teaches: examples and exit codes", "[cli]") {
  const auto r = run_process({scxlab_binary(), "shootout", "--help"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("Examples:") != std::string::npos);
  CHECK(r.out.find("--resume") != std::string::npos);
  CHECK(r.out.find("Exit codes") != std::string::npos);
}

// Exit code 70 is scxlab's own bug (EX_SOFTWARE) and nothing else: every command says so.
TEST_CASE("every command's --help lists its exit codes, 70 included", "[cli]") {
  for (const char* command : {"doctor", "shootout", "tune", "list", "history", "gate", "baseline", "noise", "report", "compare",
                              "restore"}) {
    INFO(command);
    const auto r = run_process({scxlab_binary(), command, "--help"});
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("Exit codes: 0"));
    CHECK_THAT(r.out, Catch::Contains("70 a bug in scxlab"));
  }
  CHECK_THAT(run_process({scxlab_binary(), "--help"}).out, Catch::Contains("70 a bug in scxlab"));
}

TEST_CASE("scxlab -v shows libbpf's log while the probes load, and without it libbpf stays quiet", "[cli]") {
  const auto dir = scxlab::test::fresh_temp_dir("verbose");
  const auto shootout = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> argv{scxlab_binary(), "shootout", "-s", "eevdf", "-w", "messaging:groups=1,loops=10",
                                  "-n", "1", "--warmup", "0", "-q", "-o", (dir / "out").string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    std::filesystem::remove_all(dir / "out");
    return run_process(argv);
  };
  const auto quiet = shootout({});
  INFO(quiet.err);
  REQUIRE(quiet.exit_code == 0);
  CHECK_THAT(quiet.err, !Catch::Contains("libbpf: elf:"));
  const auto verbose = shootout({"-v"});
  INFO(verbose.err);
  REQUIRE(verbose.exit_code == 0);
  CHECK_THAT(verbose.err, Catch::Contains("libbpf: loading object 'scxlab_probes'"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("scxlab --version names the release and the commit it was built from", "[cli]") {
  const auto r = run_process({scxlab_binary(), "--version"});
  CHECK(r.exit_code == 0);
  INFO(r.out);
  // `git describe --always --dirty` (a hash, or tag-count-ghash), or "unknown" outside git.
  CHECK(std::regex_match(r.out, std::regex("scxlab [0-9]+\\.[0-9]+\\.[0-9]+ \\(commit ([0-9A-Za-z.+_-]+|unknown)\\)\n")));
}

TEST_CASE("scxlab help COMMAND prints what --help prints, and names an unknown command", "[cli]") {
  CHECK(run_process({scxlab_binary(), "help"}).out == run_process({scxlab_binary(), "--help"}).out);
  const auto tune = run_process({scxlab_binary(), "help", "tune"});
  CHECK(tune.exit_code == 0);
  CHECK(tune.out == run_process({scxlab_binary(), "tune", "--help"}).out);
  CHECK(tune.out.find("--space") != std::string::npos);
  const auto bad = run_process({scxlab_binary(), "help", "frobnicate"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("unknown command 'frobnicate'") != std::string::npos);
}

TEST_CASE("not root: names the missing capabilities and the fix, exit 2", "[cli]") {
  const auto dir = scxlab::test::fresh_temp_dir("nonroot");
  fs::permissions(dir, fs::perms::all);
  // A copy the unprivileged user can reach: the build tree may be in a directory only root
  // can enter (a clone under /root, or under mktemp -d).
  const auto binary = dir / "scxlab";
  fs::copy_file(scxlab_binary(), binary);
  fs::permissions(binary, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec);
  const auto r = run_process({binary.string(), "shootout", "--out", (dir / "out").string()}, 65534, dir.string());
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("CAP_BPF") != std::string::npos);
  CHECK(r.err.find("root") != std::string::npos);
  CHECK(count_lines(r.err) == 1);
  CHECK_FALSE(fs::exists(dir / "out"));  // nothing half-written
  fs::remove_all(dir);
}

TEST_CASE("an unwritable output directory is refused before anything runs", "[cli]") {
  const auto r = run_process({scxlab_binary(), "shootout", "--out", "/proc/scxlab-cannot-be-here"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("/proc/scxlab-cannot-be-here") != std::string::npos);
  CHECK(r.err.find("--out") != std::string::npos);
  CHECK(count_lines(r.err) == 1);
}

TEST_CASE("resuming a directory without results names the problem", "[cli]") {
  const auto dir = scxlab::test::fresh_temp_dir("resume-empty");
  const auto r = run_process({scxlab_binary(), "shootout", "--resume", dir.string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("results.db") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("doctor --json reports sched_ext as this kernel has it", "[cli][doctor]") {
  const auto r = run_process({scxlab_binary(), "doctor", "--json"});
  REQUIRE((r.exit_code == 0 || r.exit_code == 1));
  const auto doc = nlohmann::json::parse(r.out);
  bool found = false;
  for (const auto& c : doc["checks"]) {
    if (c["name"] == "sched_ext") {
      found = true;
      CHECK(c["ok"].get<bool>() == fs::exists("/sys/kernel/sched_ext"));
      if (!fs::exists("/sys/kernel/sched_ext")) CHECK(c["detail"].get<std::string>().find("absent") == 0);
    }
  }
  CHECK(found);
  CHECK(doc["shootout_can_run"].get<bool>() == (r.exit_code == 0));
}

TEST_CASE("doctor names this host's hardware class, the same id every time and in every run it records",
          "[cli][doctor]") {
  const auto first = nlohmann::json::parse(run_process({scxlab_binary(), "doctor", "--json"}).out);
  const auto again = nlohmann::json::parse(run_process({scxlab_binary(), "doctor", "--json"}).out);
  const auto id = first.at("hardware_class").at("id").get<std::string>();
  CHECK(std::regex_match(id, std::regex("hw-[0-9a-f]{12}")));
  CHECK(again.at("hardware_class") == first.at("hardware_class"));
  const auto description = first.at("hardware_class").at("description").get<std::string>();
  CHECK(description.find(std::to_string(std::thread::hardware_concurrency()) + " CPUs") != std::string::npos);
  CHECK(description.find(harness::kernel_release()) != std::string::npos);
  const auto text = run_process({scxlab_binary(), "doctor"}).out;
  CHECK(text.find("hardware class " + id + " (" + description + ")") != std::string::npos);
  // What a run records: the fingerprint carries the class, computed from the fingerprint itself.
  const auto fingerprint = harness::host_fingerprint();
  CHECK(fingerprint.at("hardware_class") == id);
  CHECK(harness::hardware_class(fingerprint).id == id);
}

TEST_CASE("hosts that differ in CPU model, memory or kernel are different hardware classes, not in hostname",
          "[cli][doctor]") {
  auto a = harness::host_fingerprint();
  a["memory_mib"] = 24 * 1024 - 60;
  auto b = a;
  b["hostname"] = "another-host-of-the-rack";
  b["memory_mib"] = 24 * 1024 + 60;  // the same 24 GiB, less what each kernel reserves
  CHECK(harness::hardware_class(a).id == harness::hardware_class(b).id);
  for (const auto& [key, value] : {std::pair<std::string, nlohmann::json>{"cpu_model", "Another CPU"},
                                   {"memory_mib", a.at("memory_mib").get<long long>() + 4096},
                                   {"kernel", "9.9.9"}}) {
    auto c = a;
    c[key] = value;
    INFO(key);
    CHECK(harness::hardware_class(c).id != harness::hardware_class(a).id);
  }
}
