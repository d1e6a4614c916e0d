#include "harness/bounds.hpp"

#include <regex>

#include <fmt/format.h>

#include "harness/errors.hpp"

namespace scxlab::harness {

Bound parse_bound(const std::string& text) {
  static const std::regex form(R"(^\s*([A-Za-z0-9_.]+)\s*(>=|<=)\s*(?:([0-9.eE+-]+)\s*\*\s*baseline|(baseline)|([0-9.eE+-]+))\s*$)");
  std::smatch m;
  if (!std::regex_match(text, m, form)) {
    throw UsageError(fmt::format("--subject-to '{}': expected METRIC >= NUMBER, METRIC >= F*baseline or "
                                 "METRIC <= ... (e.g. \"fps.avg >= 0.97*baseline\")", text));
  }
  Bound b{m[1], m[2] == ">=", 1, false, text};
  try {
    if (m[3].matched) b = {m[1], m[2] == ">=", std::stod(m[3]), true, text};
    else if (m[4].matched) b.relative = true;
    else b.factor = std::stod(m[5]);
  } catch (const std::exception&) {
    throw UsageError(fmt::format("--subject-to '{}': not a number", text));
  }
  return b;
}

}  // namespace scxlab::harness
