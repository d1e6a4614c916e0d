#include "tuner/space_file.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

namespace scxlab::tuner {
namespace {

// One side of a constraint: sum of coef * knob, plus a constant.
struct Side {
  std::map<std::string, double> terms;
  double constant = 0;
};

void reject_unknown_keys(const toml::table& t, const std::set<std::string>& known, const std::string& where) {
  for (const auto& [key, value] : t) {
    if (!known.count(std::string(key.str())))
      throw SpaceError(fmt::format("{}: unknown key '{}' (known: {})", where, key.str(), fmt::join(known, ", ")));
  }
}

Value default_of(const toml::node& n, KnobType type, const std::string& where) {
  if (type == KnobType::boolean && n.is_boolean()) return *n.value<bool>();
  if (type == KnobType::integer && n.is_integer()) return *n.value<std::int64_t>();
  if (type == KnobType::real && (n.is_floating_point() || n.is_integer())) return *n.value<double>();
  if (type == KnobType::categorical && n.is_string()) return *n.value<std::string>();
  throw SpaceError(fmt::format("{}: the default has the wrong type for a {} knob", where, to_string(type)));
}

Knob read_knob(const toml::table& t, const std::string& where_file) {
  const auto name = t["name"].value_or(std::string());
  const auto where = fmt::format("{}: knob '{}'", where_file, name);
  reject_unknown_keys(t, {"name", "type", "range", "step", "scale", "default", "choices", "flag", "style", "tune", "unit"},
                      where);
  static const std::map<std::string, KnobType> types{
      {"int", KnobType::integer}, {"real", KnobType::real}, {"bool", KnobType::boolean}, {"choice", KnobType::categorical}};
  const auto type_text = t["type"].value_or(std::string());
  if (!types.count(type_text)) throw SpaceError(fmt::format("{}: type must be int, real, bool or choice", where));
  Knob k;
  k.name = name;
  k.type = types.at(type_text);
  if (const auto* range = t["range"].as_array()) {
    if (range->size() != 2 || !(*range)[0].value<double>() || !(*range)[1].value<double>())
      throw SpaceError(fmt::format("{}: range must be [low, high]", where));
    k.low = *(*range)[0].value<double>();
    k.high = *(*range)[1].value<double>();
  } else if (k.type == KnobType::integer || k.type == KnobType::real) {
    throw SpaceError(fmt::format("{}: an {} knob needs range = [low, high]", where, type_text));
  }
  k.step = t["step"].value_or(std::int64_t{1});
  k.scale = t["scale"].value_or(std::string("linear")) == "log" ? Scale::log : Scale::linear;
  if (const auto* choices = t["choices"].as_array()) {
    for (const auto& c : *choices) k.choices.push_back(c.value_or(std::string()));
  }
  if (!t.contains("default")) throw SpaceError(fmt::format("{}: needs a default", where));
  k.default_value = default_of(*t.get("default"), k.type, where);
  k.flag = t["flag"].value_or(std::string());
  const auto style = t["style"].value_or(std::string("value"));
  k.style = style == "equals" ? FlagStyle::equals : style == "presence" ? FlagStyle::presence : FlagStyle::value;
  if (const auto unit = t["unit"].value<std::string>()) k.meta["unit"] = *unit;
  return k;
}

Side parse_side(const std::string& text, const std::string& where) {
  static const std::regex term(R"(\s*([+-]?)\s*(?:([0-9.]+(?:[eE][-+]?[0-9]+)?)\s*\*\s*)?([A-Za-z_][A-Za-z0-9_.-]*|[0-9.]+(?:[eE][-+]?[0-9]+)?)\s*)");
  Side side;
  std::smatch m;
  auto rest = text;
  bool first = true;
  while (!rest.empty() && std::regex_search(rest, m, term, std::regex_constants::match_continuous)) {
    if (!first && m[1].length() == 0) break;  // two terms without an operator
    const double sign = m[1] == "-" ? -1 : 1;
    const double coef = m[2].matched ? std::stod(m[2]) : 1;
    const auto atom = m[3].str();
    if (std::isdigit(static_cast<unsigned char>(atom[0])) || atom[0] == '.') {
      side.constant += sign * coef * std::stod(atom);
    } else {
      side.terms[atom] += sign * coef;
    }
    rest = m.suffix();
    first = false;
  }
  if (first || !std::regex_match(rest, std::regex(R"(\s*)")))
    throw SpaceError(fmt::format("{}: '{}' is not a sum of [coef*]knob terms and numbers", where, text));
  return side;
}

// "a <= b <= 10" -> a - b <= 0, b <= 10.
std::vector<LinearConstraint> parse_constraint(const std::string& expr, const std::string& where) {
  static const std::regex comparison(R"((<=|>=))");
  std::vector<std::string> parts, ops;
  std::sregex_token_iterator it(expr.begin(), expr.end(), comparison, {-1, 0}), end;
  for (int i = 0; it != end; ++it, ++i) (i % 2 == 0 ? parts : ops).push_back(*it);
  if (ops.empty() || parts.size() != ops.size() + 1)
    throw SpaceError(fmt::format("{}: '{}' needs <= or >= between linear sides", where, expr));
  std::vector<Side> sides;
  for (const auto& p : parts) sides.push_back(parse_side(p, where));
  std::vector<LinearConstraint> out;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const auto& low = ops[i] == "<=" ? sides[i] : sides[i + 1];
    const auto& high = ops[i] == "<=" ? sides[i + 1] : sides[i];
    LinearConstraint c{{}, high.constant - low.constant, expr};
    auto terms = low.terms;
    for (const auto& [name, coef] : high.terms) terms[name] -= coef;
    for (const auto& [name, coef] : terms) {
      if (coef != 0) c.terms.emplace_back(name, coef);
    }
    if (c.terms.empty()) throw SpaceError(fmt::format("{}: '{}' names no knob", where, expr));
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

Space parse_space(const std::string& toml_text, const std::string& source_name) {
  toml::table doc;
  try {
    doc = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    throw SpaceError(fmt::format("{}:{}: {}", source_name, e.source().begin.line, e.description()));
  }
  reject_unknown_keys(doc, {"name", "knob", "constraint"}, source_name);
  Space space(doc["name"].value_or(std::filesystem::path(source_name).stem().string()));
  std::vector<std::string> tuned;
  const auto* knobs = doc["knob"].as_array();
  if (!knobs || knobs->empty()) throw SpaceError(fmt::format("{}: no [[knob]] tables", source_name));
  try {
    for (const auto& node : *knobs) {
      const auto* t = node.as_table();
      if (!t) throw SpaceError(fmt::format("{}: knob must be [[knob]] tables", source_name));
      auto k = read_knob(*t, source_name);
      if ((*t)["tune"].value_or(true)) tuned.push_back(k.name);
      space.add(std::move(k));
    }
    if (const auto* constraints = doc["constraint"].as_array()) {
      for (const auto& node : *constraints) {
        const auto* t = node.as_table();
        if (!t) throw SpaceError(fmt::format("{}: constraint must be [[constraint]] tables", source_name));
        reject_unknown_keys(*t, {"expr"}, source_name + ": [[constraint]]");
        const auto where = fmt::format("{}: constraint", source_name);
        for (auto& c : parse_constraint((*t)["expr"].value_or(std::string()), where)) space.add_constraint(std::move(c));
      }
    }
  } catch (const SpaceError& e) {
    const std::string what = e.what();
    if (what.rfind(source_name, 0) == 0) throw;
    throw SpaceError(fmt::format("{}: {}", source_name, what));
  }
  space.tune_only(tuned);
  return space;
}

Space load_space_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw SpaceError(fmt::format("{}: cannot read it", path));
  std::stringstream text;
  text << in.rdbuf();
  return parse_space(text.str(), path);
}

}  // namespace scxlab::tuner
