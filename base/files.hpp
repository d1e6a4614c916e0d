// Files as the kernel and the user give them: whole-file reads that report errno instead of
// throwing (a /proc/<pid> file can fail with ESRCH half-way when its process exits; libstdc++'s
// ifstream then throws from its buffer even with exceptions off), atomic replacement of a
// file, and whitespace trimming.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace scxlab::base {

struct FileText {
  bool ok = false;
  int err = 0;       // errno when !ok
  std::string text;  // the whole contents when ok
};

FileText read_file(const std::string& path);

// The contents, or "" when the file cannot be read (gone, refused): for probes where a
// missing file and an empty one mean the same.
std::string read_file_or_empty(const std::string& path);

// Replaces `path` whole or not at all, durably: a temporary file in the same directory,
// fsync, rename over `path`, fsync of the directory. A reader sees the old contents or the
// new, never a part; a crash leaves at most a stray ".<name>.XXXXXX" beside it. Throws
// FileError naming the path, the reason and the fix.
struct FileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
void write_file_atomically(const std::string& path, std::string_view contents, mode_t mode = 0644);

std::string trim(std::string_view s);  // without surrounding whitespace (space, \t, \r, \n)

}  // namespace scxlab::base
