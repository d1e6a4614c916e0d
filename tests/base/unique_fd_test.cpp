// UniqueFd closes what it owns exactly once, and moving it moves the ownership; the pipes and
// socket pairs made of them.
#include <cerrno>

#include <fcntl.h>
#include <sys/socket.h>

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

TEST_CASE("a socket pair carries bytes like a pipe, and a dead reader is an error, not SIGPIPE", "[fd]") {
  auto pair = scxlab::base::make_socket_pair(SOCK_CLOEXEC);
  REQUIRE(::send(pair.write_end.get(), "g", 1, MSG_NOSIGNAL) == 1);
  char byte = 0;
  REQUIRE(::read(pair.read_end.get(), &byte, 1) == 1);
  CHECK(byte == 'g');
  CHECK((::fcntl(pair.read_end.get(), F_GETFD) & FD_CLOEXEC) != 0);
  pair.read_end.reset();
  CHECK(::send(pair.write_end.get(), "x", 1, MSG_NOSIGNAL) == -1);
  CHECK(errno == EPIPE);
}
