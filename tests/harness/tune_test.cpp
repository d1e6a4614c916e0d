// `scxlab tune` end to end on this host, against an objective with a known optimum: a command
// workload that has the frames workload's render_nice attribute and prints
// (render_nice - 3)^2 + 10. Every evaluation is a real lab trial through the kernel default's
// backend; the answer must be render_nice = 3, validated and recommended. Interrupted and
// resumed, the same seed must give the same answer.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "catch.hpp"
#include "process.hpp"

using scxlab::test::run_process;
using scxlab::test::scxlab_binary;
namespace fs = std::filesystem;

namespace {

// The workload; with `interrupt_flag`, it also sends SIGINT to scxlab the first time it runs.
fs::path write_quadratic_workload(const fs::path& dir, const std::string& interrupt_flag = "") {
  const auto path = dir / "quadratic.toml";
  std::ofstream out(path);
  out << "name = \"quadratic\"\n"
      << "summary = \"(render_nice - 3)^2 + 10, a known optimum for the tuner\"\n"
      << "command = \"";
  if (!interrupt_flag.empty()) out << "if [ ! -e " << interrupt_flag << " ]; then : > " << interrupt_flag << "; kill -INT $PPID; fi; ";
  out << "echo value $(( ({render_nice} - 3) * ({render_nice} - 3) + 10 ))\"\n"
      << "[[param]]\nname = \"render_nice\"\ntype = \"int\"\ndefault = 0\nmin = -20\nmax = 19\nhelp = \"nice\"\n"
      << "[[metric]]\nname = \"value\"\nunit = \"count\"\ndirection = \"lower_is_better\"\n"
      << "regex = 'value ([0-9]+)'\nheadline = true\n";
  return path;
}

std::vector<std::string> tune_args(const fs::path& workload, const fs::path& out) {
  return {scxlab_binary(), "tune", "-s", "eevdf", "-w", "command:" + workload.string(), "--knobs", "render_nice",
          "-n", "10", "--validate-reps", "5", "--seed", "11", "-q", "-o", out.string()};
}

}  // namespace

TEST_CASE("tune finds a known optimum through real trials, validates it and recommends it", "[integration][tune]") {
  const auto dir = scxlab::test::fresh_temp_dir("optimum");
  const auto r = run_process(tune_args(write_quadratic_workload(dir), dir / "out"));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto rec = toml::parse_file((dir / "out" / "recommendation.toml").string());
  INFO(rec);
  CHECK(rec["knobs"]["render_nice"].value<std::int64_t>() == 3);
  CHECK(rec["recommend"].value<bool>() == true);
  CHECK(rec["validation"]["call"].value<std::string>() == "better");
  CHECK(rec["validation"]["ratio"].value<double>().value() == Approx(10.0 / 19.0));
  CHECK(rec["use"]["shootout"].value<std::string>() == "scxlab shootout -s eevdf:render_nice=3");
  fs::remove_all(dir);
}

TEST_CASE("tune interrupted by SIGINT resumes to the answer of an uninterrupted run", "[integration][tune]") {
  const auto dir = scxlab::test::fresh_temp_dir("resume");
  const auto flag = dir / "interrupted-once";
  auto args = tune_args(write_quadratic_workload(dir, flag.string()), dir / "out");
  const auto first = run_process(args);
  INFO(first.err);
  CHECK(first.exit_code == 130);
  CHECK(first.err.find("scxlab tune --resume") != std::string::npos);
  REQUIRE(fs::exists(flag));

  const auto resumed = run_process({scxlab_binary(), "tune", "--resume", (dir / "out").string(), "-q"});
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  const auto rec = toml::parse_file((dir / "out" / "recommendation.toml").string());
  CHECK(rec["knobs"]["render_nice"].value<std::int64_t>() == 3);
  CHECK(rec["recommend"].value<bool>() == true);
  fs::remove_all(dir);
}

TEST_CASE("tune a space file's knobs against a command that prints the objective", "[integration][tune]") {
  const auto dir = scxlab::test::fresh_temp_dir("command");
  std::ofstream(dir / "space.toml") << "[[knob]]\nname = \"x\"\ntype = \"int\"\nrange = [-10, 10]\ndefault = 0\n";
  const auto r = run_process({scxlab_binary(), "tune", "--space", (dir / "space.toml").string(), "--command",
                              "echo result: $(( ({x} - 3) * ({x} - 3) + 10 ))", "-n", "10", "--seed", "11", "-q",
                              "-o", (dir / "out").string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto rec = toml::parse_file((dir / "out" / "recommendation.toml").string());
  INFO(rec);
  CHECK(rec["knobs"]["x"].value<std::int64_t>() == 3);
  CHECK(rec["recommend"].value<bool>() == true);
  CHECK(rec["objective"].value<std::string>() == "value");
  CHECK(rec["use"]["command"].value<std::string>() == "echo result: $(( (3 - 3) * (3 - 3) + 10 ))");
  fs::remove_all(dir);
}

TEST_CASE("tune refuses a command placeholder that is not a knob, and --space without --command", "[tune]") {
  const auto dir = scxlab::test::fresh_temp_dir("command-bad");
  std::ofstream(dir / "space.toml") << "[[knob]]\nname = \"x\"\ntype = \"int\"\nrange = [-10, 10]\ndefault = 0\n";
  const auto typo = run_process({scxlab_binary(), "tune", "--space", (dir / "space.toml").string(), "--command",
                                 "echo {y}", "-o", (dir / "out").string()});
  CHECK(typo.exit_code == 2);
  CHECK(typo.err.find("{y} is not a knob") != std::string::npos);
  const auto alone = run_process({scxlab_binary(), "tune", "--space", (dir / "space.toml").string(), "-o",
                                  (dir / "out2").string()});
  CHECK(alone.exit_code == 2);
  CHECK(alone.err.find("--space and --command go together") != std::string::npos);
  fs::remove_all(dir);
}
