// Just enough of an HTML reader for the report tests: elements by tag (not nested within
// their own kind, as td, tr, figure, section and table are in the report), their attributes
// and their text. Works on the report as written and on Chromium's --dump-dom.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace scxlab::test {

struct Element {
  std::map<std::string, std::string> attrs;  // values unescaped
  std::string inner;                         // raw inner HTML
  std::string attr(const std::string& name) const;
  bool has_class(const std::string& cls) const;
};

// Every <tag ...>...</tag> (or self-closed / void <tag ...>) in document order.
std::vector<Element> elements(const std::string& html, const std::string& tag);

// Text content: tags removed, entities decoded.
std::string text_of(const std::string& inner_html);

// How often `needle` occurs in `text`.
std::size_t count_of(const std::string& text, const std::string& needle);

}  // namespace scxlab::test
