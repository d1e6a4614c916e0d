#include "tuner/space_file.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include "base/files.hpp"

namespace scxlab::tuner {
namespace {

using Keys = std::vector<std::string_view>;
template <typename E>
using Names = std::vector<std::pair<std::string_view, E>>;

const Names<KnobType> kTypes{
    {"int", KnobType::integer}, {"real", KnobType::real}, {"bool", KnobType::boolean}, {"choice", KnobType::categorical}};
const Names<Scale> kScales{{"linear", Scale::linear}, {"log", Scale::log}};
const Names<FlagStyle> kStyles{{"value", FlagStyle::value}, {"equals", FlagStyle::equals}, {"presence", FlagStyle::presence}};

std::size_t line_of(const toml::node& n) { return n.source().begin.line; }

// Refused rather than ignored: a misspelt key would otherwise silently drop a setting.
void reject_unknown_keys(const toml::table& t, const Keys& known, const std::string& where) {
  for (const auto& [key, node] : t) {
    if (std::find(known.begin(), known.end(), key.str()) == known.end())
      throw SpaceError(fmt::format("{}: unknown key '{}' at line {}; the keys here are: {}", where, key.str(),
                                   line_of(node), fmt::join(known, ", ")));
  }
}

template <typename T>
std::string_view kind() {
  if constexpr (std::is_same_v<T, bool>) return "true or false";
  else if constexpr (std::is_same_v<T, std::int64_t>) return "an integer";
  else if constexpr (std::is_same_v<T, double>) return "a number";
  else return "a string in quotes";
}

// Strict: toml++'s permissive value<T>() would read a boolean as 0/1. Reals alone also take
// TOML integers, so that range = [0, 5] is a real range.
template <typename T>
std::optional<T> as(const toml::node& n) {
  if constexpr (std::is_same_v<T, double>) return n.is_number() ? n.value<double>() : std::nullopt;
  else return n.value_exact<T>();
}

// A present key of the wrong TOML type is an error, not a silent default.
template <typename T>
std::optional<T> optional_key(const toml::table& t, std::string_view key, const std::string& where) {
  const auto* node = t.get(key);
  if (!node) return std::nullopt;
  if (auto v = as<T>(*node)) return v;
  throw SpaceError(fmt::format("{}: {} must be {} (line {})", where, key, kind<T>(), line_of(*node)));
}

template <typename T>
T required_key(const toml::table& t, std::string_view key, const std::string& where) {
  if (auto v = optional_key<T>(t, key, where)) return *v;
  throw SpaceError(fmt::format("{}: missing {} = <{}>", where, key, kind<T>()));
}

template <typename E>
std::optional<E> enum_key(const toml::table& t, std::string_view key, const Names<E>& names, const std::string& where) {
  const auto text = optional_key<std::string>(t, key, where);
  if (!text) return std::nullopt;
  for (const auto& [name, e] : names) {
    if (name == *text) return e;
  }
  Keys all;
  for (const auto& [name, e] : names) all.push_back(name);
  throw SpaceError(fmt::format("{}: {} = \"{}\" is not one of: {}", where, key, *text, fmt::join(all, ", ")));
}

std::string_view type_word(KnobType t) {
  return std::find_if(kTypes.begin(), kTypes.end(), [t](const auto& n) { return n.second == t; })->first;
}

// The keys a knob of type `t` takes: a key meant for another type (step on a real) is refused.
Keys knob_keys(KnobType t) {
  Keys keys{"name", "type", "default", "flag", "style", "tune", "unit"};
  if (t == KnobType::integer || t == KnobType::real) keys.insert(keys.end(), {"range", "scale"});
  if (t == KnobType::integer) keys.push_back("step");
  if (t == KnobType::categorical) keys.push_back("choices");
  return keys;
}

// lower_snake_case so that a command can name the knob as {name}.
std::string read_name(const toml::table& t, const std::string& where) {
  static const std::regex snake_case("[a-z][a-z0-9_]*");
  auto name = required_key<std::string>(t, "name", where);
  if (!std::regex_match(name, snake_case))
    throw SpaceError(fmt::format("{}: name '{}' must be lower_snake_case (a-z, 0-9 and _, starting with a letter)",
                                 where, name));
  return name;
}

void read_numeric(const toml::table& t, Knob& k, const std::string& where) {
  const auto* node = t.get("range");
  if (!node) throw SpaceError(fmt::format("{}: missing range = [low, high]", where));
  const auto* range = node->as_array();
  if (!range || range->size() != 2 || !as<double>((*range)[0]) || !as<double>((*range)[1]))
    throw SpaceError(fmt::format("{}: range must be [low, high], two numbers (line {})", where, line_of(*node)));
  k.low = *as<double>((*range)[0]);
  k.high = *as<double>((*range)[1]);
  k.scale = enum_key(t, "scale", kScales, where).value_or(Scale::linear);
  k.step = optional_key<std::int64_t>(t, "step", where).value_or(1);
}

std::vector<std::string> read_choices(const toml::table& t, const std::string& where) {
  const auto* node = t.get("choices");
  if (!node) throw SpaceError(fmt::format("{}: missing choices = [\"a\", \"b\", ...]", where));
  std::vector<std::string> choices;
  const auto* array = node->as_array();
  for (std::size_t i = 0; array && i < array->size(); ++i) {
    if (const auto s = (*array)[i].value_exact<std::string>()) choices.push_back(*s);
  }
  if (!array || choices.size() != array->size())
    throw SpaceError(fmt::format("{}: choices must be a list of strings (line {})", where, line_of(*node)));
  return choices;
}

Value read_default(const toml::table& t, KnobType type, const std::string& where) {
  switch (type) {
    case KnobType::integer: return required_key<std::int64_t>(t, "default", where);
    case KnobType::real: return required_key<double>(t, "default", where);
    case KnobType::boolean: return required_key<bool>(t, "default", where);
    case KnobType::categorical: break;
  }
  return required_key<std::string>(t, "default", where);
}

// Adds one [[knob]] table (the `number`-th) to the space; Space::add checks the rest (range
// order, grid, default in range, choices, style).
void add_knob(Space& space, const toml::table& t, std::size_t number) {
  const auto name = read_name(t, fmt::format("knob {} (line {})", number, line_of(t)));
  const auto where = fmt::format("knob '{}'", name);
  const auto type = enum_key(t, "type", kTypes, where);
  if (!type) throw SpaceError(fmt::format("{}: missing type = \"int\" | \"real\" | \"bool\" | \"choice\"", where));
  reject_unknown_keys(t, knob_keys(*type), fmt::format("{} ({})", where, type_word(*type)));
  Knob k;
  k.name = name;
  k.type = *type;
  if (k.type == KnobType::integer || k.type == KnobType::real) read_numeric(t, k, where);
  if (k.type == KnobType::categorical) k.choices = read_choices(t, where);
  k.default_value = read_default(t, k.type, where);
  k.flag = optional_key<std::string>(t, "flag", where).value_or("");
  k.style = enum_key(t, "style", kStyles, where).value_or(FlagStyle::value);
  if (const auto unit = optional_key<std::string>(t, "unit", where)) k.meta["unit"] = *unit;
  const bool tune = optional_key<bool>(t, "tune", where).value_or(true);
  space.add(k);
  if (!tune) space.fix(name, k.default_value);
}

// One side of a comparison: sum of coef * knob (in order of appearance) plus a constant.
struct Side {
  std::vector<std::pair<std::string, double>> terms;
  double constant = 0;
};

void add_term(std::vector<std::pair<std::string, double>>& terms, const std::string& knob, double coef) {
  const auto it = std::find_if(terms.begin(), terms.end(), [&](const auto& t) { return t.first == knob; });
  if (it == terms.end()) terms.emplace_back(knob, coef);
  else it->second += coef;
}

// strtod, not stod: a huge number becomes inf for Space's finiteness check to report, not
// an out_of_range exception.
double to_double(const std::string& s) { return std::strtod(s.c_str(), nullptr); }

// "2*a - b + 3": terms NUMBER*knob, knob or NUMBER joined by + or -.
Side parse_side(const std::string& text, const std::string& where) {
  static const std::string number = R"((?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)";
  static const std::regex term(R"(\s*([+-]?)\s*(?:()" + number + R"()\s*\*\s*)?([A-Za-z_][A-Za-z0-9_]*|)" + number +
                               R"()\s*)");
  Side side;
  std::smatch m;
  auto at = text.cbegin();
  bool first = true;
  while (at != text.cend() && std::regex_search(at, text.cend(), m, term, std::regex_constants::match_continuous)) {
    if (!first && m[1].length() == 0) break;  // two terms with no + or - between them
    const double coef = (m[1] == "-" ? -1.0 : 1.0) * (m[2].matched ? to_double(m[2]) : 1.0);
    const auto atom = m[3].str();
    if (std::isdigit(static_cast<unsigned char>(atom[0])) || atom[0] == '.') side.constant += coef * to_double(atom);
    else add_term(side.terms, atom, coef);
    at = m[0].second;
    first = false;
  }
  if (first || at != text.cend())
    throw SpaceError(fmt::format("{}: '{}' is not linear: write terms NUMBER*knob, knob or NUMBER joined by + or -",
                                 where, base::trim(text)));
  return side;
}

// left <= right (or >=) as sum(coef * knob) <= rhs: everything moved to the left, and both
// sides negated for >=.
LinearConstraint to_constraint(const Side& left, const std::string& op, const Side& right, std::string text) {
  const double sign = op == "<=" ? 1 : -1;
  std::vector<std::pair<std::string, double>> terms;
  for (const auto& [knob, coef] : left.terms) add_term(terms, knob, sign * coef);
  for (const auto& [knob, coef] : right.terms) add_term(terms, knob, -sign * coef);
  LinearConstraint c{{}, sign * (right.constant - left.constant), std::move(text)};
  // A knob that cancels out is left to Space::add_constraint to report when none remain.
  std::copy_if(terms.begin(), terms.end(), std::back_inserter(c.terms), [](const auto& t) { return t.second != 0; });
  return c;
}

// "a <= b <= 100" -> a - b <= 0 and b <= 100, each with its own link's text for messages.
std::vector<LinearConstraint> parse_constraint(const std::string& expr, const std::string& where) {
  static const std::regex comparison("<=|>=");
  std::vector<std::string> sides, ops;
  std::smatch m;
  auto at = expr.cbegin();
  for (; std::regex_search(at, expr.cend(), m, comparison); at = m[0].second) {
    sides.emplace_back(at, m[0].first);
    ops.push_back(m.str());
  }
  sides.emplace_back(at, expr.cend());
  if (ops.empty())
    throw SpaceError(fmt::format("{}: needs <= or >= (<, > and == are not supported), e.g. \"a + 2*b <= 10\"", where));
  std::vector<LinearConstraint> links;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    links.push_back(to_constraint(parse_side(sides[i], where), ops[i], parse_side(sides[i + 1], where),
                                  fmt::format("{} {} {}", base::trim(sides[i]), ops[i], base::trim(sides[i + 1]))));
  }
  return links;
}

void add_constraints(Space& space, const toml::table& t) {
  const auto at = fmt::format("constraint at line {}", line_of(t));
  reject_unknown_keys(t, {"expr"}, at);
  const auto expr = required_key<std::string>(t, "expr", at);
  for (auto& c : parse_constraint(expr, fmt::format("constraint '{}'", expr))) space.add_constraint(std::move(c));
}

// The tables of [[key]]; [key] (a single table) is refused with the fix.
std::vector<const toml::table*> tables_of(const toml::table& doc, std::string_view key) {
  std::vector<const toml::table*> tables;
  const auto* node = doc.get(key);
  if (!node) return tables;
  const auto* array = node->as_array();
  for (std::size_t i = 0; array && i < array->size(); ++i) {
    if (const auto* t = (*array)[i].as_table()) tables.push_back(t);
  }
  if (!array || tables.size() != array->size())
    throw SpaceError(fmt::format("{} must be tables written [[{}]] (line {})", key, key, line_of(*node)));
  return tables;
}

// Checked here although the optimiser checks it too, so that the message names the file.
void check_defaults(const Space& space) {
  const auto bad = space.violations(space.defaults());
  if (!bad.empty())
    throw SpaceError(fmt::format("the defaults ({}) violate constraint '{}': change a default or the constraint",
                                 space.describe(space.defaults()), bad.front()));
}

Space read_space(const toml::table& doc, const std::string& default_name) {
  reject_unknown_keys(doc, {"name", "knob", "constraint"}, "top level");
  Space space(optional_key<std::string>(doc, "name", "top level").value_or(default_name));
  const auto knobs = tables_of(doc, "knob");
  if (knobs.empty()) throw SpaceError("no knobs: add a [[knob]] table with name, type, range and default");
  for (std::size_t i = 0; i < knobs.size(); ++i) add_knob(space, *knobs[i], i + 1);
  for (const auto* t : tables_of(doc, "constraint")) add_constraints(space, *t);
  check_defaults(space);
  return space;
}

}  // namespace

Space parse_space(const std::string& toml_text, const std::string& source_name) {
  toml::table doc;
  try {
    doc = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    throw SpaceError(fmt::format("{}:{}: not valid TOML: {}", source_name, e.source().begin.line, e.description()));
  }
  // Every message below, ours and Space's own checks', lacks only the file's name.
  try {
    return read_space(doc, std::filesystem::path(source_name).stem().string());
  } catch (const SpaceError& e) {
    throw SpaceError(fmt::format("{}: {}", source_name, e.what()));
  }
}

Space load_space_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw SpaceError(fmt::format("{}: cannot open the space file: {}", path, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_space(text.str(), path);
}

}  // namespace scxlab::tuner
