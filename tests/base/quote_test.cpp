// Quoting, checked by the real consumer where it can run here: sh and bash parse what
// shell_words and scx_flags_line wrote, and must give back the very words.
#include <string>
#include <vector>

#include "base/quote.hpp"
#include "catch.hpp"
#include "process.hpp"

using namespace scxlab;
using scxlab::test::run_process;

namespace {

// Words that break naive quoting: quotes, spaces, expansions, separators, newlines, non-ASCII.
const std::vector<std::string> kHostile = {
    "plain", "", "two words", "it's", "\"dq\"", "$(touch /tmp/scxlab-pwned)", "`id`", "$HOME", "a;b", "a|b",
    "a&b", "*", "~", "#x", "<in", ">out", "(x)", "line\nbreak", "back\\slash", "tab\there", "héllo", "'",
    "'\\''", "--slice-max-us=3000", "-k"};

// NUL-separated output of printf, back into words.
std::vector<std::string> split_nul(const std::string& out) {
  std::vector<std::string> words;
  std::string word;
  for (const char c : out) {
    if (c == '\0') {
      words.push_back(word);
      word.clear();
    } else {
      word += c;
    }
  }
  return words;
}

// What systemd's EnvironmentFile parser makes of `NAME="value"` (systemd.exec(5): inside
// double quotes a backslash escapes \ " $ `, and is kept before anything else).
std::string systemd_double_quoted_value(const std::string& line) {
  const auto open = line.find("=\"");
  REQUIRE(open != std::string::npos);
  REQUIRE(line.back() == '"');
  const auto inner = line.substr(open + 2, line.size() - open - 3);
  std::string value;
  for (std::size_t i = 0; i < inner.size(); ++i) {
    if (inner[i] == '\\' && i + 1 < inner.size() && std::string("\\\"$`").find(inner[i + 1]) != std::string::npos) ++i;
    value += inner[i];
  }
  return value;
}

}  // namespace

TEST_CASE("shell_words round-trips hostile words through a real sh", "[quote]") {
  const auto r = run_process({"/bin/sh", "-c", "printf '%s\\0' " + base::shell_words(kHostile)});
  REQUIRE(r.exit_code == 0);
  CHECK(split_nul(r.out) == kHostile);
  CHECK(base::shell_quote("--slice-max-us=3000") == "--slice-max-us=3000");  // plain stays readable
}

TEST_CASE("SCX_FLAGS carries what scx.service can pass and refuses the rest", "[quote]") {
  const std::vector<std::string> passable = {"--slice-max-us=3000", "-k", "it's", "\"dq\"", "$(id)", "`id`",
                                             "$HOME", "a;b", "back\\slash", "héllo", "~", "#x"};
  const auto line = base::scx_flags_line(passable);
  REQUIRE(line);
  // scx.service: EnvironmentFile=/etc/default/scx, ExecStart=/bin/bash -c 'exec $SCX_SCHEDULER $SCX_FLAGS '
  const auto r = run_process({"/usr/bin/env", "SCX_FLAGS=" + systemd_double_quoted_value(*line), "bash", "-c",
                              "exec printf '%s\\0' $SCX_FLAGS "});
  REQUIRE(r.exit_code == 0);
  CHECK(split_nul(r.out) == passable);

  for (const std::string bad : {"two words", "", "*", "line\nbreak", "[ab]", "tab\there"}) {
    INFO(bad);
    CHECK_FALSE(base::scx_flags_line({"-k", bad}));
    CHECK(base::scx_flags_problem({"-k", bad}).find("'" + bad + "'") != std::string::npos);
  }
  CHECK(base::scx_flags_problem(passable).empty());
}
