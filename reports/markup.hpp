// Text into HTML and SVG markup.
#pragma once

#include <string>
#include <string_view>

namespace scxlab::reports {

// Escapes &, <, >, " and ' for element content and quoted attribute values alike.
std::string escape_html(std::string_view text);

// JSON text made safe inside <script type="application/json">: no "</" or "<!--" can end
// or confuse the script element.
std::string script_safe(std::string_view json);

}  // namespace scxlab::reports
