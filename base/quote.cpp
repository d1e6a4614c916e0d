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

std::string scx_flags_problem(const std::vector<std::string>& args) {
  const auto bad = std::find_if(args.begin(), args.end(), split_or_globbed);
  if (bad == args.end()) return "";
  return "scx.service splits SCX_FLAGS on whitespace and expands * ? [, so the argument '" + *bad +
         "' cannot be passed through /etc/default/scx: start the scheduler with the command line instead";
}

std::optional<std::string> scx_flags_line(const std::vector<std::string>& args) {
  if (!scx_flags_problem(args).empty()) return std::nullopt;
  std::string value;
  for (const auto& a : args) {
    if (!value.empty()) value += ' ';
    for (const char c : a) {
      if (c == '\\' || c == '"' || c == '$' || c == '`') value += '\\';
      value += c;
    }
  }
  return "SCX_FLAGS=\"" + value + "\"";
}

}  // namespace scxlab::base
