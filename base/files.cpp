#include "base/files.hpp"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace scxlab::base {

FileText read_file(const std::string& path) {
  FileText r;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    r.err = errno;
    return r;
  }
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      r.err = errno;
      r.text.clear();
      ::close(fd);
      return r;
    }
    if (n == 0) break;
    r.text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  r.ok = true;
  return r;
}

std::string read_file_or_empty(const std::string& path) { return read_file(path).text; }

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

}  // namespace scxlab::base
