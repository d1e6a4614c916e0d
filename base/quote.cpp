#include "base/quote.hpp"

#include <algorithm>

namespace scxlab::base {
namespace {

// Characters no POSIX shell gives a meaning to in an unquoted word (anywhere in it).
bool shell_safe(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("_-+=./:,@%").find(c) != std::string_view::npos;
}

// An argument bash's word splitting and pathname expansion would change.
bool split_or_globbed(const std::string& arg) {
  return arg.empty() || arg.find_first_of(" \t\n\r\v\f*?[") != std::string::npos;
}

}  // namespace

std::string shell_quote(const std::string& word) {
  if (!word.empty() && std::all_of(word.begin(), word.end(), shell_safe)) return word;
  std::string out = "'";
  for (const char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string shell_words(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + shell_quote(w);
  return out;
}

std::string scx_default_problem(const std::vector<std::string>& words) {
  const auto bad = std::find_if(words.begin(), words.end(), split_or_globbed);
  if (bad == words.end()) return "";
  return "scx.service splits /etc/default/scx's values on whitespace and expands * ? [, so '" + *bad +
         "' cannot be passed through /etc/default/scx: start the scheduler with the command line instead";
}

std::optional<std::string> scx_default_line(const std::string& variable, const std::vector<std::string>& words) {
  if (!scx_default_problem(words).empty()) return std::nullopt;
  std::string value;
  for (const auto& a : words) {
    if (!value.empty()) value += ' ';
    for (const char c : a) {
      if (c == '\\' || c == '"' || c == '$' || c == '`') value += '\\';
      value += c;
    }
  }
  return variable + "=\"" + value + "\"";
}

}  // namespace scxlab::base
