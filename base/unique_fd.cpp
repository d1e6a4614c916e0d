#include "base/unique_fd.hpp"

#include <cerrno>
#include <system_error>

#include <fcntl.h>
#include <sys/socket.h>

namespace scxlab::base {

Pipe make_pipe(int flags) {
  int fds[2];
  if (::pipe2(fds, flags) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

Pipe make_socket_pair(int flags) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | flags, 0, fds) != 0) {
    throw std::system_error(errno, std::generic_category(), "socketpair");
  }
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

}  // namespace scxlab::base
