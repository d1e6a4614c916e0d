#include "store/database.hpp"

#include <charconv>

#include <fmt/format.h>

namespace scxlab::store {
namespace {

template <typename T>
T parse_cell(const std::string& text, std::size_t column) {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw DatabaseError(fmt::format("column {} holds '{}', not a number", column, text), DatabaseError::Kind::other);
  }
  return value;
}

}  // namespace

std::int64_t SqlRow::integer(std::size_t column) const {
  const auto& cell = cells.at(column);
  if (const auto* i = std::get_if<std::int64_t>(&cell)) return *i;
  if (const auto* d = std::get_if<double>(&cell)) return static_cast<std::int64_t>(*d);
  return parse_cell<std::int64_t>(std::get<std::string>(cell), column);
}

double SqlRow::real(std::size_t column) const {
  const auto& cell = cells.at(column);
  if (const auto* d = std::get_if<double>(&cell)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&cell)) return static_cast<double>(*i);
  return parse_cell<double>(std::get<std::string>(cell), column);
}

std::string to_text(const SqlValue& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
  return fmt::format("{}", std::get<double>(value));
}

std::string SqlRow::text(std::size_t column) const { return to_text(cells.at(column)); }

}  // namespace scxlab::store
