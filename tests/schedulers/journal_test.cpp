#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "catch.hpp"
#include "schedulers/host_io.hpp"
#include "schedulers/journal.hpp"
#include "support.hpp"

using namespace scxlab::schedulers;
using scxlab::schedulers::test::journal_entries_on_disk;
using scxlab::schedulers::test::read_text;
using scxlab::schedulers::test::ReplacementCounter;
using scxlab::schedulers::test::TempDir;
using scxlab::schedulers::test::write_text;

namespace {

// A forked child that runs `body`, then tells the parent through a pipe and waits to be killed.
struct Child {
  pid_t pid = -1;
  template <typename Body>
  explicit Child(Body body) {
    int p[2];
    REQUIRE(::pipe(p) == 0);
    pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(p[0]);
      try {
        body();
      } catch (...) {
        ::_exit(3);
      }
      const char ready = 'r';
      if (::write(p[1], &ready, 1) != 1) ::_exit(4);
      for (;;) ::pause();
    }
    ::close(p[1]);
    char c = 0;
    const bool ready = ::read(p[0], &c, 1) == 1;
    ::close(p[0]);
    REQUIRE(ready);
  }
  void kill_and_reap() const {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
};

// A real `sleep` process, returned once it has exec'd (a close-on-exec pipe reads EOF then).
pid_t spawn_sleep() {
  int p[2];
  REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execlp("sleep", "sleep", "1000", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(p[1]);
  char c;
  REQUIRE(::read(p[0], &c, 1) == 0);
  ::close(p[0]);
  return pid;
}

}  // namespace

TEST_CASE("the journal is written before each change and replayed newest first") {
  TempDir dir;
  const auto target = dir / "knob";
  write_text(target, "original\n");
  {
    Journal j(dir / "journal.json");
    CHECK(j.empty());
    j.will_write_file(target, "original\n");
    write_text(target, "first\n");
    j.will_write_file(target, "first\n");
    write_text(target, "second\n");
    // Durable already: the file on disk names both writes.
    const auto on_disk = read_text(dir / "journal.json");
    CHECK(on_disk.find("first") != std::string::npos);
    CHECK(on_disk.find("original") != std::string::npos);
    const auto lines = j.replay();
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] == "restored " + target + " to 'first'");
    CHECK(lines[1] == "restored " + target + " to 'original'");
    CHECK(j.empty());
  }
  CHECK(read_text(target) == "original\n");
  Journal again(dir / "journal.json");
  CHECK(again.empty());
}

TEST_CASE("forgetting an undone change keeps it from being replayed") {
  TempDir dir;
  Journal j(dir / "journal.json");
  j.will_write_file(dir / "a", "1");
  j.will_write_file(dir / "b", "2");
  j.forget("file", dir / "a");
  REQUIRE(j.entries().size() == 1);
  CHECK(j.entries()[0].path == dir / "b");
  j.forget("file", dir / "b");
  CHECK(j.empty());
}

TEST_CASE("after a crash the next journal restores the file and stops the process") {
  TempDir dir;
  const auto target = dir / "knob";
  write_text(target, "as found\n");
  // Orphans of the crashed child become ours, so this test can reap the sleep process.
  REQUIRE(::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
  pid_t sleeper = 0;
  int sleeper_pipe[2];
  REQUIRE(::pipe(sleeper_pipe) == 0);
  Child crashed([&] {
    auto& j = *new Journal(dir / "journal.json");  // never destroyed: the child dies holding it
    j.will_write_file(target, "as found\n");
    write_text(target, "changed\n");
    const pid_t s = spawn_sleep();
    j.started_process("sleep", s);
    if (::write(sleeper_pipe[1], &s, sizeof s) != sizeof s) ::_exit(5);
  });
  REQUIRE(::read(sleeper_pipe[0], &sleeper, sizeof sleeper) == sizeof sleeper);
  ::close(sleeper_pipe[0]);
  ::close(sleeper_pipe[1]);
  crashed.kill_and_reap();  // dies holding the lock, mid-run, journal not replayed
  CHECK(read_text(target) == "changed\n");
  REQUIRE(host::process_start_time(sleeper).has_value());

  Journal next(dir / "journal.json");  // the crashed run's lock died with it
  REQUIRE(next.entries().size() == 2);
  const auto lines = next.replay();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "sleep (pid " + std::to_string(sleeper) + "): stopped by SIGINT");
  CHECK(lines[1] == "restored " + target + " to 'as found'");
  CHECK(read_text(target) == "as found\n");
  int status = 0;
  CHECK(::waitpid(sleeper, &status, WNOHANG) <= 0);  // stop_process reaped it already (or init did)
  CHECK_FALSE(host::process_start_time(sleeper).has_value());
  ::prctl(PR_SET_CHILD_SUBREAPER, 0);
}

TEST_CASE("replay never signals a pid that now belongs to another process") {
  TempDir dir;
  const pid_t other = spawn_sleep();
  {
    Journal j(dir / "journal.json");
    j.started_process("sleep", other);
  }
  // Pretend the recorded process was an earlier one with the same pid.
  auto text = read_text(dir / "journal.json");
  const auto start = std::to_string(*host::process_start_time(other));
  text.replace(text.find(start), start.size(), "1");
  write_text(dir / "journal.json", text);
  Journal j(dir / "journal.json");
  const auto lines = j.replay();
  REQUIRE(lines.size() == 1);
  CHECK_THAT(lines[0], Catch::Contains("belongs to another process, left alone"));
  CHECK(host::process_start_time(other).has_value());
  ::kill(other, SIGKILL);
  ::waitpid(other, nullptr, 0);
}

TEST_CASE("a second run is refused, naming the pid that holds the journal") {
  TempDir dir;
  Child holder([&] {
    static Journal j(dir / "journal.json");  // held until the child is killed
  });
  try {
    Journal j(dir / "journal.json");
    FAIL("the second journal was not refused");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("another scxlab run (pid " + std::to_string(holder.pid) + ")"));
  }
  holder.kill_and_reap();
  CHECK_NOTHROW(Journal(dir / "journal.json"));
}

TEST_CASE("an unreadable journal is moved aside and reported, never blocking recovery") {
  TempDir dir;
  write_text(dir / "journal.json", "{\"version\": 1, \"entries\": [{\"kind\": \"fi");  // torn by hand
  Journal j(dir / "journal.json");
  CHECK_FALSE(j.empty());
  const auto lines = j.replay();
  REQUIRE(lines.size() == 1);
  CHECK_THAT(lines[0], Catch::Contains("was unreadable") && Catch::Contains(".unreadable-"));
  CHECK(j.empty());
  j.will_write_file(dir / "x", "1");  // and the journal works again
  CHECK(j.entries().size() == 1);
}

TEST_CASE("many files are journaled in one durable write and forgotten in one") {
  TempDir dir;
  const auto path = dir / "journal.json";
  Journal j(path);
  ReplacementCounter writes(path);
  std::vector<FileValue> files;
  std::vector<std::string> paths;
  for (int i = 0; i < 300; ++i) {
    files.push_back({dir / ("knob" + std::to_string(i)), std::to_string(i) + "\n"});
    paths.push_back(files.back().path);
  }
  j.will_write_files(files);
  CHECK(writes.take() == 1);
  const auto on_disk = journal_entries_on_disk(path);
  REQUIRE(on_disk.size() == 300);
  CHECK(on_disk[299].at("path") == files[299].path);
  CHECK(on_disk[299].at("old_value") == "299\n");
  j.forget_all("file", paths);
  CHECK(writes.take() == 1);
  CHECK(journal_entries_on_disk(path).empty());
  CHECK(j.empty());
  j.forget_all("file", paths);  // nothing left to forget: nothing written
  CHECK(writes.take() == 0);
}

TEST_CASE("replay writes back only files that changed, and a run of them is persisted once") {
  TempDir dir;
  const auto path = dir / "journal.json";
  const auto kept = dir / "kept";
  write_text(kept, "same\n");
  const auto long_ago = std::filesystem::file_time_type::clock::now() - std::chrono::hours(24 * 365);
  std::filesystem::last_write_time(kept, long_ago);
  std::vector<FileValue> files{{kept, "same\n"}};
  for (int i = 0; i < 40; ++i) {
    files.push_back({dir / ("changed" + std::to_string(i)), "before\n"});
    write_text(files.back().path, "after\n");
  }
  {
    Journal j(path);
    j.will_write_files(files);
  }  // a crash
  Journal next(path);
  ReplacementCounter writes(path);
  const auto lines = next.replay();
  CHECK(writes.take() == 1);
  REQUIRE(lines.size() == 41);
  CHECK(lines[0] == "restored " + files[40].path + " to 'before'");
  CHECK(lines[40] == "1 recorded file still held its recorded value: left alone");
  for (const auto& f : files) CHECK(read_text(f.path) == f.value);
  CHECK(std::filesystem::last_write_time(kept) == long_ago);  // never rewritten
  CHECK(journal_entries_on_disk(path).empty());
}

// A recorded process that exited but is not yet reaped (a zombie) is already gone: signals to
// it succeed, which once read as "stopped by SIGINT" (seen in the VM, where init reaps late).
TEST_CASE("stop_process calls an exited, unreaped process already gone", "[journal]") {
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) ::_exit(0);
  const auto started = host::process_start_time(child);
  REQUIRE(started.has_value());
  siginfo_t info{};
  REQUIRE(::waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT) == 0);  // exited, still a zombie
  CHECK(host::stop_process(child, *started, std::chrono::milliseconds(1000)) == "already gone");
  CHECK_FALSE(host::process_start_time(child).has_value());  // and reaped
}
