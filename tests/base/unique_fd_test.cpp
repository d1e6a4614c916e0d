// UniqueFd closes what it owns exactly once, and moving it moves the ownership.
#include <cerrno>

#include <fcntl.h>

#include "base/unique_fd.hpp"
#include "catch.hpp"

using scxlab::base::UniqueFd;

namespace {

bool is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1 || errno != EBADF; }

}  // namespace

TEST_CASE("UniqueFd closes on scope exit, on reset and after a move only once", "[fd]") {
  int raw = -1;
  {
    auto pipe = scxlab::base::make_pipe(O_CLOEXEC);
    raw = pipe.read_end.get();
    REQUIRE(is_open(raw));
    UniqueFd moved = std::move(pipe.read_end);
    CHECK_FALSE(pipe.read_end);
    CHECK(moved.get() == raw);
    pipe.write_end.reset();
    CHECK_FALSE(pipe.write_end);
    CHECK(is_open(raw));
  }
  CHECK_FALSE(is_open(raw));
}
