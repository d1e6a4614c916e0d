// The report in a real browser: Chromium parses the file, runs its script, and dumps the DOM;
// the DOM must still show exactly the numbers of the store and the analysis.
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/files.hpp"
#include "catch.hpp"
#include "dom.hpp"
#include "fixture.hpp"
#include "process.hpp"
#include "report_checks.hpp"
#include "reports/html.hpp"

using namespace scxlab;
namespace fs = std::filesystem;

namespace {

constexpr int kTimeoutMs = 120000;

// Debian's Chromium, or the browser named by SCXLAB_CHROMIUM.
std::string chromium() {
  const char* chosen = std::getenv("SCXLAB_CHROMIUM");
  return chosen && *chosen ? chosen : "/usr/bin/chromium";
}

std::string read_file(const fs::path& p) { return scxlab::base::read_file_or_empty(p.string()); }

struct Run {
  int status = -1;  // exit status, or -1 when killed at the timeout
  std::string out, err;
};

// Runs argv in its own process group with stdout and stderr in files; the whole group is
// killed if it outlives the timeout (waiting on a pidfd, not by sleeping).
Run run_with_timeout(const std::vector<std::string>& argv, const fs::path& dir) {
  const auto out_path = dir / "stdout", err_path = dir / "stderr";
  const pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out < 0 || err < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0) _exit(126);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  setpgid(pid, pid);  // also here, so the group exists before any kill below
  Run r;
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  pollfd p{pidfd, POLLIN, 0};
  const bool exited = pidfd >= 0 && poll(&p, 1, kTimeoutMs) == 1;
  if (!exited) kill(-pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  kill(-pid, SIGKILL);  // helpers (zygote, renderer) that outlived the browser process
  if (pidfd >= 0) close(pidfd);
  if (exited && WIFEXITED(status)) r.status = WEXITSTATUS(status);
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  return r;
}

// Headless Chromium on `html` doing `action` (--dump-dom, --screenshot=PATH); the page's
// console messages go to stderr as ":CONSOLE(" lines.
Run in_chromium(const fs::path& html, const fs::path& work, const std::vector<std::string>& action) {
  const auto profile = work / "profile";
  fs::create_directories(profile);
  std::vector<std::string> argv{chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                                "--disable-sync", "--enable-logging=stderr", "--v=0",
                                "--user-data-dir=" + profile.string()};
  argv.insert(argv.end(), action.begin(), action.end());
  argv.push_back("file://" + html.string());
  return run_with_timeout(argv, work);
}

// The DOM after the page loaded and its script ran, from headless Chromium.
Run dump_dom(const fs::path& html, const fs::path& work) { return in_chromium(html, work, {"--dump-dom"}); }

std::vector<std::string> console_lines(const std::string& err) {
  std::vector<std::string> out;
  std::istringstream lines(err);
  for (std::string line; std::getline(lines, line);) {
    // "...:INFO:CONSOLE:1] "Uncaught ..." (Chromium 156), "...:CONSOLE(1)] ..." (older ones)
    if (line.find(":CONSOLE") != std::string::npos) out.push_back(line);
  }
  return out;
}

// A screenshot of the page's top as the browser drew it, for a person to look at, kept under
// the build directory (its path printed).
void screenshot(const fs::path& html, const fs::path& work, const std::string& name) {
  const auto png = fs::path(SCXLAB_BINARY_DIR) / "tests" / (name + ".png");
  fs::remove(png);
  const auto run = in_chromium(html, work, {"--hide-scrollbars", "--window-size=1280,2400", "--screenshot=" + png.string()});
  INFO("chromium stderr: " << run.err);
  CHECK(run.status == 0);
  CHECK(read_file(png).rfind("\x89PNG", 0) == 0);
  std::cout << name << " screenshot: " << png.string() << std::endl;
}

// The page loaded without a console message, its script ran to its end, and every chart in
// the DOM has marks in it (not an empty frame). Returns the DOM.
std::string open_cleanly(const fs::path& html_path, const fs::path& work) {
  const auto run = dump_dom(html_path, work);
  INFO("chromium stderr: " << run.err);
  REQUIRE(run.status == 0);
  CHECK(console_lines(run.err).empty());
  const auto root = test::elements(run.out, "html");
  REQUIRE(root.size() == 1);
  CHECK(root[0].attr("data-scxlab-ready") == "yes");
  CHECK(root[0].has_class("js"));
  const auto svgs = test::elements(run.out, "svg");
  CHECK_FALSE(svgs.empty());
  for (const auto& svg : svgs) {
    INFO(svg.attr("aria-labelledby"));
    CHECK((svg.inner.find("<circle") != std::string::npos || svg.inner.find("<path class=\"curve") != std::string::npos));
  }
  return run.out;
}

bool skip_without_chromium() {
  if (fs::exists(chromium())) return false;
  // Tests print this marker so CTest reports the test as skipped (SKIP_REGULAR_EXPRESSION).
  const std::string why = "SCXLAB-SKIPPED: Chromium is not installed at " + chromium() +
                          ", so the HTML report was not checked in a browser (Debian: apt-get install chromium, "
                          "or scripts/setup.sh --test; another path: SCXLAB_CHROMIUM=/path/to/chromium)";
  std::cout << why << std::endl;
#ifdef SKIP
  SKIP(why);
#endif
  WARN(why);
  return true;
}

void shootout(const fs::path& out) {
  const auto r = test::run_tiny_shootout(out);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

}  // namespace

TEST_CASE("in a real browser the report shows the store's and the analysis's numbers, charts drawn",
          "[reports][browser]") {
  if (skip_without_chromium()) return;
  test::ReportFixture f("browser");
  const auto html_path = f.dir.path / "report.html";
  reports::write_html_report(html_path.string(), f.input);
  const auto file = read_file(html_path);
  test::check_self_contained(file);

  const auto dom = open_cleanly(html_path, f.dir.path);
  // The parser kept the structure as written: same cells, same charts.
  CHECK(test::count_of(dom, "<td") == test::count_of(file, "<td"));
  CHECK(test::count_of(dom, "<svg") == 7);
  CHECK(test::count_of(dom, "<circle") == test::count_of(file, "<circle"));
  CHECK(test::count_of(dom, "class=\"curve\"") == test::count_of(file, "class=\"curve\""));
  // And the numbers are the analysis's and the store's.
  CHECK(test::check_results_tables(dom, f.input) == 12);
  CHECK(test::check_strip_plots(dom, f.input) == 6);
  CHECK(test::check_distributions(dom, f.input) == 1);
  screenshot(html_path, f.dir.path, "shootout-report");
}

TEST_CASE("in a real browser a compare report of two real runs opens without console errors, charts drawn",
          "[reports][browser][compare]") {
  if (skip_without_chromium()) return;
  const auto dir = test::fresh_temp_dir("browser-compare");
  shootout(dir / "a");
  shootout(dir / "b");
  const auto html_path = dir / "compare.html";
  const auto r = test::run_process({test::scxlab_binary(), "compare", (dir / "a").string(), (dir / "b").string(), "-o",
                                    html_path.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto file = read_file(html_path);
  test::check_self_contained(file);

  const auto dom = open_cleanly(html_path, dir);
  // The compare section on top, then strip plots with both runs' repetitions as dots.
  CHECK(dom.find("id=\"compare\"") < dom.find("class=\"workload\""));
  CHECK(test::count_of(dom, "<svg") == test::count_of(file, "<svg"));
  CHECK(test::count_of(dom, "<circle") == test::count_of(file, "<circle"));
  CHECK(test::count_of(dom, "data-scheduler=\"eevdf @A\"") > 0);
  CHECK(test::count_of(dom, "data-scheduler=\"eevdf @B\"") > 0);
  screenshot(html_path, dir, "compare-report");
}

TEST_CASE("in a real browser a real tune's report opens cleanly, every chart drawn", "[reports][browser]") {
  if (skip_without_chromium()) return;
  const auto dir = test::fresh_temp_dir("browser-tune");
  std::ofstream(dir / "space.toml") << "[[knob]]\nname = \"x\"\ntype = \"int\"\nrange = [-10, 10]\ndefault = 0\n";
  const auto tune = test::run_process({test::scxlab_binary(), "tune", "--space", (dir / "space.toml").string(),
                                       "--command", "echo result: $(( ({x} - 3) * ({x} - 3) + 10 ))", "-n", "6",
                                       "--seed", "11", "-q", "-o", (dir / "out").string()});
  INFO(tune.err);
  REQUIRE(tune.exit_code == 0);
  const auto html_path = dir / "out" / "report.html";
  const auto file = read_file(html_path);
  test::check_self_contained(file);

  const auto dom = open_cleanly(html_path, dir);
  CHECK(test::count_of(dom, "<svg") == test::count_of(file, "<svg"));
  // The command's objective is minimised, and the report says so where it names it.
  CHECK(dom.find("<dd>value (minimised)</dd>") != std::string::npos);
  CHECK(dom.find("higher is better") == std::string::npos);
  for (const auto& id : {"recommendation", "convergence", "effects", "explored", "validation"}) {
    CHECK(dom.find(std::string("id=\"") + id + "\"") != std::string::npos);
  }
  screenshot(html_path, dir, "tune-report");
  fs::remove_all(dir);
}
