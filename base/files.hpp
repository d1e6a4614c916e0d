// Files as the kernel and the user give them: whole-file reads that report errno instead of
// throwing (a /proc/<pid> file can fail with ESRCH half-way when its process exits; libstdc++'s
// ifstream then throws from its buffer even with exceptions off), and whitespace trimming.
#pragma once

#include <string>
#include <string_view>

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

std::string trim(std::string_view s);  // without surrounding whitespace (space, \t, \r, \n)

}  // namespace scxlab::base
