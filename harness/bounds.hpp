// A tune's outcome bounds (--subject-to): parsed here, checked by the recommendation. Nothing
// here touches the machine (the fuzz target subject_to builds this file alone).
#pragma once

#include <string>

namespace scxlab::harness {

// An outcome bound: "fps.avg >= 0.97*baseline" (baseline: the default configuration's value).
struct Bound {
  std::string metric;
  bool at_least = true;
  double factor = 1;        // of the baseline value when relative, else the bound itself
  bool relative = false;
  std::string text;
};
Bound parse_bound(const std::string& text);  // throws UsageError naming the form expected

}  // namespace scxlab::harness
