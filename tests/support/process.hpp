// Runs a program to completion for integration tests: its exit code, stdout and stderr.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace scxlab::test {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed
  std::string out, err;
};

// `as_uid`: drop to this uid (and gid) before exec, to test the unprivileged path.
ProcessResult run_process(const std::vector<std::string>& argv, std::optional<uid_t> as_uid = std::nullopt,
                          const std::string& cwd = "");

std::string scxlab_binary();  // build/scxlab of this build

}  // namespace scxlab::test
