// What every fuzz target shares: the input as text, split in two where a target parses two
// texts (a tool's stdout and stderr, a stats meta and its reply), and the rule that bad input
// may be refused with an exception (std::exception: the parsers name the bad input) but never
// crash, hang, leak or reach undefined behaviour (ASan and UBSan, built in, abort on those).
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <utility>

namespace scxlab::fuzz {

inline std::string text(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// The input split at its first NUL byte (the second part empty when there is none).
inline std::pair<std::string, std::string> two_texts(const std::uint8_t* data, std::size_t size) {
  const std::string all = text(data, size);
  const auto nul = all.find('\0');
  if (nul == std::string::npos) return {all, ""};
  return {all.substr(0, nul), all.substr(nul + 1)};
}

// Runs a parser on fuzz input: a refusal by exception is the parser doing its job.
template <typename Parse>
int refuse_or_parse(Parse&& parse) {
  try {
    parse();
  } catch (const std::exception&) {
  }
  return 0;
}

}  // namespace scxlab::fuzz
