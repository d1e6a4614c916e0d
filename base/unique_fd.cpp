#include "base/unique_fd.hpp"

#include <cerrno>
#include <system_error>

#include <fcntl.h>

namespace scxlab::base {

Pipe make_pipe(int flags) {
  int fds[2];
  if (::pipe2(fds, flags) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

}  // namespace scxlab::base
