// Inside the reports library only: the pieces every terminal rendering shares (padding,
// wrapping prose, colour for called changes, titled lists), so the run table
// (terminal.cpp) and the compare table (compare.cpp) print alike.
#pragma once

#include <string>
#include <vector>

#include "reports/terminal.hpp"

namespace scxlab::reports::text_detail {

std::string pad(const std::string& s, std::size_t width);
std::string trim_right(const std::string& s);  // trailing blanks are padding only
std::string shorten(const std::string& s, std::size_t width);
// Breaks prose into lines of at most `width` columns: the first starts with `first`, the
// others with `indent`.
std::string wrap(const std::string& first, const std::string& text, std::size_t width, const std::string& indent);

class Painter {
 public:
  explicit Painter(bool on) : on_(on) {}
  std::string bold(const std::string& s) const;
  // Colour for a called change only: an uncalled difference is never painted as a win.
  std::string change(const std::string& text, const stats::Comparison* c) const;
  std::string change(const std::string& text, const stats::MetricResult* m) const {
    return change(text, m && m->vs_baseline ? &*m->vs_baseline : nullptr);
  }

 private:
  bool on_;
};

// "\n<title>\n  - item" per item, wrapped; nothing when `items` is empty.
void render_list(std::string& out, const std::string& title, const std::vector<std::string>& items,
                 const TerminalOptions& options, const Painter& paint);

}  // namespace scxlab::reports::text_detail
