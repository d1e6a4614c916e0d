// Command workloads: the TOML format, extraction by regex and JSON pointer, and failures that
// name the problem without stopping what comes next.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>

#include <unistd.h>

#include "catch.hpp"
#include "metrics_of.hpp"
#include "workloads/workload.hpp"

using namespace scxlab;
using namespace scxlab::workloads;
namespace fs = std::filesystem;

namespace {

// A TOML file in a fresh directory, removed at the end of the test.
class TomlFile {
 public:
  explicit TomlFile(const std::string& text) {
    static int counter = 0;
    dir_ = fs::temp_directory_path() / ("scxlab-cmd-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(dir_);
    std::ofstream(path()) << text;
  }
  ~TomlFile() { fs::remove_all(dir_); }
  std::string path() const { return (dir_ / "workload.toml").string(); }
  std::string name() const { return "command:" + path(); }

 private:
  fs::path dir_;
};

const char* kEcho = R"(
summary = "prints numbers"
command = ["sh", "-c", "echo 'rate: {base} ops/s'; echo 'rate: 7 ops/s'; echo '{\"lat\": {\"p99\": 2.5}}'; echo 'warn 9' >&2"]

[[param]]
name = "base"
type = "int"
default = 5
min = 1
max = 100

[[metric]]
name = "ops_per_s"
unit = "ops/s"
direction = "higher_is_better"
regex = 'rate: ([0-9]+) ops/s'
match = "first"
headline = true

[[metric]]
name = "last_rate"
unit = "ops/s"
direction = "higher"
regex = 'rate: ([0-9]+) ops/s'

[[metric]]
name = "latency_ms.p99"
unit = "ms"
direction = "lower_is_better"
json_pointer = "/lat/p99"
scale = 1000

[[metric]]
name = "warnings"
unit = "count"
direction = "informational"
regex = 'warn ([0-9]+)'
from = "stderr"
)";

}  // namespace

TEST_CASE("a command workload extracts metrics by regex and JSON pointer", "[workloads][command]") {
  const TomlFile f(kEcho);
  const auto info = find_workload(f.name());
  REQUIRE(info);
  CHECK(info->summary == "prints numbers");
  REQUIRE(info->metrics.size() == 4);
  CHECK(info->metrics[0].headline);
  CHECK(info->metrics[1].direction == Direction::higher_is_better);

  const auto r = run(f.name(), {{"base", "42"}}, {});
  INFO(r.reason << r.stderr_tail);
  REQUIRE(r.status == Result::Status::ok);
  const auto m = metrics_of(r);
  CHECK(m.at("ops_per_s") == 42);        // first match, with the {base} placeholder filled in
  CHECK(m.at("last_rate") == 7);         // last match
  CHECK(m.at("latency_ms.p99") == 2500);  // the JSON line, scaled
  CHECK(m.at("warnings") == 9);          // from stderr

  CHECK(validate(f.name(), {{"base", "1000"}}).error.find("out of range [1, 100]") != std::string::npos);
  CHECK(validate(f.name(), {{"bse", "1"}}).error.find("valid: base") != std::string::npos);
}

TEST_CASE("a failing command fails the run with its stderr, and the next run goes on", "[workloads][command]") {
  const TomlFile f(R"(
command = "echo 'disk on fire' >&2; exit 3"
[[metric]]
name = "x"
unit = "s"
direction = "lower_is_better"
regex = 'x=([0-9]+)'
)");
  const auto r = run(f.name(), {}, {});
  CHECK(r.status == Result::Status::failed);
  CHECK(r.reason == "sh exited with status 3");
  CHECK(r.stderr_tail.find("disk on fire") != std::string::npos);
  CHECK(run("messaging", {{"groups", "1"}, {"loops", "10"}}, {}).status == Result::Status::ok);
}

TEST_CASE("a command whose output lacks a metric fails naming the metric", "[workloads][command]") {
  const TomlFile f(R"(
command = ["echo", "nothing to see"]
[[metric]]
name = "tps"
unit = "tx/s"
direction = "higher_is_better"
regex = 'tps = ([0-9.]+)'

[[metric]]
name = "maybe"
unit = "s"
direction = "lower_is_better"
regex = 'maybe ([0-9]+)'
optional = true
)");
  const auto r = run(f.name(), {}, {});
  CHECK(r.status == Result::Status::failed);
  CHECK(r.reason.find("metric 'tps'") != std::string::npos);
  CHECK(r.reason.find("found nothing on stdout") != std::string::npos);
}

TEST_CASE("a command with a duration is stopped with SIGINT and its output parsed", "[workloads][command]") {
  const TomlFile f(R"(
command = "trap 'echo done=1; exit 0' INT; while :; do sleep 0.05; done"
duration_s = 0.3
timeout_s = 20
[[metric]]
name = "done"
unit = "count"
direction = "informational"
regex = 'done=([0-9])'
)");
  const auto r = run(f.name(), {}, {});
  INFO(r.reason << r.stderr_tail);
  REQUIRE(r.status == Result::Status::ok);
  CHECK(metrics_of(r).at("done") == 1);
}

TEST_CASE("a command's own timeout ends it as timed out", "[workloads][command]") {
  const TomlFile f(R"(
command = ["sleep", "30"]
timeout_s = 0.2
[[metric]]
name = "x"
unit = "s"
direction = "lower_is_better"
regex = '([0-9]+)'
)");
  const auto r = run(f.name(), {}, {});
  CHECK(r.status == Result::Status::timed_out);
  CHECK(r.reason.find("command's timeout of 0.2 s") != std::string::npos);
}

TEST_CASE("malformed command files are refused with the file, the entry and the fix", "[workloads][command]") {
  const auto error_of = [](const std::string& text) {
    const TomlFile f(text);
    return validate(f.name(), {}).error;
  };
  CHECK(validate("command:/no/such/file.toml", {}).error.find("no such file") != std::string::npos);
  CHECK(error_of("command = [\"true\"]\n").find("at least one [[metric]]") != std::string::npos);
  CHECK(error_of("command = [\"true\"]\n[[metric]]\nname = \"a\"\nunit = \"s\"\ndirection = \"lower\"\nregex = '[0-9]+'\n")
            .find("capture group") != std::string::npos);
  CHECK(error_of("command = [\"true\"]\n[[metric]]\nname = \"a\"\nunit = \"s\"\ndirection = \"down\"\nregex = '([0-9]+)'\n")
            .find("direction 'down'") != std::string::npos);
  CHECK(error_of("comand = [\"true\"]\n").find("unknown key 'comand'") != std::string::npos);
  CHECK(error_of("command = [\"true\"]\n[[metric]]\nname = \"a\"\nunit = \"s\"\ndirection = \"lower\"\nregexp = 'x'\n")
            .find("unknown key 'regexp'") != std::string::npos);
  CHECK(error_of("command = [\"true\"\n").find("line") != std::string::npos);  // TOML syntax, with the line
}

TEST_CASE("the example command workloads load", "[workloads][command]") {
  for (const auto& entry : fs::directory_iterator(fs::path(SCXLAB_SOURCE_DIR) / "workloads/examples")) {
    INFO(entry.path());
    const auto v = validate("command:" + entry.path().string(), {});
    CHECK(v.error.empty());
  }
}

TEST_CASE("a child that dies before its release fails the run without hurting the harness", "[workloads][command]") {
  // chdir fails in the child before it waits for the release byte; writing that byte to a
  // dead reader must not raise SIGPIPE in this process.
  const TomlFile f(R"(
command = ["true"]
cwd = "no-such-directory"
[[metric]]
name = "x"
unit = "s"
direction = "lower_is_better"
regex = '([0-9]+)'
)");
  RunOptions o;
  o.on_ready = [](pid_t root) {  // wait (bounded) until the child is dead before it is released
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (char state = 0; state != 'Z' && std::chrono::steady_clock::now() < until;) {
      std::ifstream stat("/proc/" + std::to_string(root) + "/stat");
      std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
      const auto paren = text.rfind(')');
      state = paren == std::string::npos ? 0 : text[paren + 2];
    }
  };
  const auto r = run(f.name(), {}, o);
  CHECK(r.status == Result::Status::failed);
  CHECK(r.reason == "true exited with status 126");
  CHECK(r.stderr_tail.find("cannot enter") != std::string::npos);
}
