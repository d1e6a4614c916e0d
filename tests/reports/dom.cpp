#include "dom.hpp"

#include <cctype>
#include <sstream>

namespace scxlab::test {
namespace {

std::string unescape(const std::string& s) {
  static const std::pair<const char*, const char*> kEntities[] = {
      {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&nbsp;", " "},
      {"&ndash;", "\u2013"}, {"&plusmn;", "\u00b1"}};
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    bool replaced = false;
    if (s[i] == '&') {
      for (const auto& [entity, text] : kEntities) {
        if (s.compare(i, std::char_traits<char>::length(entity), entity) == 0) {
          out += text;
          i += std::char_traits<char>::length(entity);
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += s[i++];
  }
  return out;
}

std::map<std::string, std::string> parse_attrs(const std::string& s) {
  std::map<std::string, std::string> attrs;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (std::isspace(static_cast<unsigned char>(s[i])) || s[i] == '/')) ++i;
    const auto name_start = i;
    while (i < s.size() && s[i] != '=' && !std::isspace(static_cast<unsigned char>(s[i])) && s[i] != '/') ++i;
    const auto name = s.substr(name_start, i - name_start);
    if (name.empty()) break;
    std::string value;
    if (i < s.size() && s[i] == '=') {
      ++i;
      const char quote = s[i];
      if (quote == '"' || quote == '\'') {
        const auto end = s.find(quote, i + 1);
        value = s.substr(i + 1, end - i - 1);
        i = end + 1;
      } else {
        const auto start = i;
        while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        value = s.substr(start, i - start);
      }
    }
    attrs[name] = unescape(value);
  }
  return attrs;
}

}  // namespace

std::string Element::attr(const std::string& name) const {
  const auto it = attrs.find(name);
  return it == attrs.end() ? "" : it->second;
}

bool Element::has_class(const std::string& cls) const {
  std::istringstream classes(attr("class"));
  for (std::string c; classes >> c;) {
    if (c == cls) return true;
  }
  return false;
}

std::vector<Element> elements(const std::string& html, const std::string& tag) {
  std::vector<Element> out;
  const std::string open = "<" + tag, close = "</" + tag + ">";
  for (std::size_t at = html.find(open); at != std::string::npos; at = html.find(open, at + 1)) {
    const char next = html[at + open.size()];
    if (next != ' ' && next != '>' && next != '/') continue;  // <th> is not <thead>
    const auto tag_end = html.find('>', at);
    Element e;
    e.attrs = parse_attrs(html.substr(at + open.size(), tag_end - at - open.size()));
    const bool self_closed = html[tag_end - 1] == '/';
    const auto end = self_closed ? std::string::npos : html.find(close, tag_end);
    if (end != std::string::npos && html.find(open + " ", tag_end) > end) {  // no void element: has content
      e.inner = html.substr(tag_end + 1, end - tag_end - 1);
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::string text_of(const std::string& inner_html) {
  std::string text;
  bool in_tag = false;
  for (const char c : inner_html) {
    if (c == '<') in_tag = true;
    else if (c == '>') in_tag = false;
    else if (!in_tag) text += c;
  }
  return unescape(text);
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace scxlab::test
