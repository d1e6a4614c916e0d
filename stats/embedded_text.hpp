// Text files compiled into the binary (built-in manifests, suites): see cmake/ScxlabLibrary.cmake.
#pragma once

#include <string>
#include <vector>

namespace scxlab {

struct EmbeddedText {
  std::string name;      // file name, e.g. "scx_lavd.toml"
  std::string contents;
};

}  // namespace scxlab
