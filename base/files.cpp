#include "base/files.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
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

namespace {

// Writes all of `contents`, retrying short writes and EINTR; 0 or the errno.
int write_all(int fd, std::string_view contents) {
  for (std::size_t written = 0; written < contents.size();) {
    const auto n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n > 0) written += static_cast<std::size_t>(n);
    else if (n == 0) return EIO;
    else if (errno != EINTR) return errno;
  }
  return 0;
}

}  // namespace

void write_file_atomically(const std::string& path, std::string_view contents, mode_t mode) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const auto dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const auto fail = [&](int err) {
    throw FileError("cannot write " + path + ": " + std::strerror(err) + ": check that directory " + dir.string() +
                    " exists and is writable");
  };
  std::string tmp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) fail(errno);
  int err = write_all(fd, contents);
  if (!err && (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0)) err = errno;  // mkstemp made it 0600
  if (::close(fd) != 0 && !err) err = errno;
  if (!err && std::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err) {
    ::unlink(tmp.c_str());
    fail(err);
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);  // makes the rename itself durable
    ::close(dfd);
  }
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

}  // namespace scxlab::base
