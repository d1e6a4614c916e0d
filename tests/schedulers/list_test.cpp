#include "catch.hpp"
#include "schedulers/scheduler.hpp"
#include "support.hpp"

using namespace scxlab::schedulers;

TEST_CASE("list: the kernel default always runs, sched_ext schedulers say why not") {
  const auto rows = list_schedulers(load_manifests());
  const bool sched_ext = read_sched_ext_status().present;
  bool saw_kernel = false;
  for (const auto& r : rows) {
    INFO(r.manifest.name);
    if (r.manifest.backend == BackendKind::kernel) {
      saw_kernel = true;
      CHECK(r.runnable);
      CHECK(r.reason.empty());
      continue;
    }
    CHECK(r.installed == !r.binary_path.empty());
    CHECK(r.runnable == r.reason.empty());
    if (!sched_ext) CHECK_THAT(r.reason, Catch::Contains("no sched_ext") && Catch::Contains("CONFIG_SCHED_CLASS_EXT"));
    else if (!r.installed) CHECK_THAT(r.reason, Catch::Contains("not"));
  }
  CHECK(saw_kernel);
}

TEST_CASE("list: a binary on PATH is found") {
  scxlab::schedulers::test::TempDir dir;
  scxlab::schedulers::test::write_text(dir / "scx_mine", "#!/bin/sh\n");
  std::filesystem::permissions(dir / "scx_mine", std::filesystem::perms::owner_all);
  const std::string old_path = ::getenv("PATH");
  ::setenv("PATH", (dir.path() + ":" + old_path).c_str(), 1);
  Manifest m;
  m.name = m.binary = "scx_mine";
  m.backend = BackendKind::scx;
  m.origin = "user";
  CHECK(find_binary(m) == dir / "scx_mine");
  m.binary = "scx_surely_absent";
  CHECK(find_binary(m).empty());
  ::setenv("PATH", old_path.c_str(), 1);
}
