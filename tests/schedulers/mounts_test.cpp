// TemporaryMount with real mounts (tests run as root): bpffs on a scratch directory.
#include "catch.hpp"
#include "schedulers/mounts.hpp"
#include "support.hpp"

using namespace scxlab::schedulers;
using scxlab::schedulers::test::TempDir;

TEST_CASE("a temporary mount is journaled, mounted, then unmounted and forgotten") {
  TempDir dir;
  const auto point = dir / "bpf";
  std::filesystem::create_directory(point);
  Journal journal(dir / "journal.json");
  {
    TemporaryMount mount(journal, "bpf", point);
    REQUIRE(mount.problem().empty());
    CHECK(mount.mounted_by_us());
    CHECK(is_mounted("/proc/self/mounts", point, "bpf"));
    REQUIRE(journal.entries().size() == 1);
    CHECK(journal.entries()[0].kind == "mount");

    TemporaryMount again(journal, "bpf", point);  // already there: left alone
    CHECK(again.problem().empty());
    CHECK_FALSE(again.mounted_by_us());
    CHECK(again.release().empty());
    CHECK(is_mounted("/proc/self/mounts", point, "bpf"));

    CHECK(mount.release().empty());
    CHECK_FALSE(is_mounted("/proc/self/mounts", point, "bpf"));
    CHECK(journal.empty());
  }
  CHECK_FALSE(is_mounted("/proc/self/mounts", point, "bpf"));
}

TEST_CASE("a mount that fails says why and how, and leaves nothing in the journal") {
  TempDir dir;
  Journal journal(dir / "journal.json");
  TemporaryMount mount(journal, "bpf", dir / "missing-directory");
  CHECK_FALSE(mount.mounted_by_us());
  CHECK_THAT(mount.problem(), Catch::Contains("mounting it failed") && Catch::Contains("mount -t bpf"));
  CHECK(journal.empty());
}
