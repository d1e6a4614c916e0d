// base/files: the one atomic file replacement every output goes through.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/files.hpp"
#include "catch.hpp"
#include "process.hpp"

namespace fs = std::filesystem;
using scxlab::base::write_file_atomically;

namespace {

std::string contents(const fs::path& p) {
  std::stringstream got;
  got << std::ifstream(p).rdbuf();
  return got.str();
}

std::size_t entries(const fs::path& dir) {
  return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}));
}

}  // namespace

TEST_CASE("write_file_atomically replaces a file whole and names the path when it cannot", "[files]") {
  const auto dir = scxlab::test::fresh_temp_dir("atomic");
  const auto path = (dir / "out.txt").string();
  write_file_atomically(path, "first");
  write_file_atomically(path, "second version");
  CHECK(contents(path) == "second version");
  CHECK((fs::status(path).permissions() & fs::perms::others_read) != fs::perms::none);
  CHECK(entries(dir) == 1);  // no temporary file left beside it
  CHECK_THROWS_WITH(write_file_atomically((dir / "missing" / "x.html").string(), "x"),
                    Catch::Contains("missing/x.html") && Catch::Contains("exists and is writable"));
  CHECK(entries(dir) == 1);
  fs::remove_all(dir);
}

TEST_CASE("write_file_atomically gives the file the mode asked for", "[files]") {
  const auto dir = scxlab::test::fresh_temp_dir("atomic-mode");
  const auto path = (dir / "private.json").string();
  write_file_atomically(path, "{}", 0600);
  const auto perms = fs::status(path).permissions();
  CHECK((perms & fs::perms::owner_write) != fs::perms::none);
  CHECK((perms & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
  CHECK(contents(path) == "{}");
  fs::remove_all(dir);
}
