// One owner for a file descriptor: closed exactly once, when its owner goes, on every path.
#pragma once

#include <utility>

#include <unistd.h>

namespace scxlab::base {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(std::exchange(other.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const noexcept { return fd_; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  // Closes what it holds (if anything) and holds `fd` instead.
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  UniqueFd read_end, write_end;
};

// pipe2(2) with `flags` (O_CLOEXEC, ...); throws std::system_error naming the call.
Pipe make_pipe(int flags);

// A connected AF_UNIX stream pair used as a pipe, with `flags` (SOCK_CLOEXEC, ...): writing with
// send(MSG_NOSIGNAL) to a reader that died gives an error instead of SIGPIPE.
Pipe make_socket_pair(int flags);

}  // namespace scxlab::base
