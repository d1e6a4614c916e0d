// Quoting for the programs that read what scxlab writes. Each consumer has its own rules, so
// each has its own function: a word safe for one is not safe for another.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace scxlab::base {

// One word for a POSIX shell: bare when it holds only characters no shell treats specially,
// else single-quoted with each ' written as '\''. Any byte string round-trips through sh.
std::string shell_quote(const std::string& word);

// Words joined by spaces, each shell_quote'd: a command line to paste into a shell.
std::string shell_words(const std::vector<std::string>& words);

// The value of SCX_FLAGS in /etc/default/scx, as the line `SCX_FLAGS="..."`. scx.service
// reads the file as a systemd EnvironmentFile, then runs `bash -c 'exec $SCX_SCHEDULER
// $SCX_FLAGS'`: the value is split on whitespace and glob-expanded, never unquoted again. So
// an argument that is empty or holds whitespace or a glob character (* ? [) cannot be passed
// at all: nullopt then (the caller says why and offers the command line instead). Inside the
// double quotes, \ " $ ` are backslash-escaped as systemd's EnvironmentFile parser expects.
std::optional<std::string> scx_flags_line(const std::vector<std::string>& args);

// Why scx_flags_line refused `args` ("" when it would not): names the first argument.
std::string scx_flags_problem(const std::vector<std::string>& args);

}  // namespace scxlab::base
