// `command:FILE.toml`: any program as a workload, declared in TOML (format and examples:
// workloads/README.md, workloads/examples/). The file gives the command line with {param}
// placeholders, its parameters, an optional duration (stopped with SIGINT, a normal end) and
// time limit, and for each metric how to extract it (a regex with one capture group, or a
// JSON pointer), its unit and direction. Errors name the file, the entry and the fix.
#include <filesystem>
#include <regex>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "workloads/builtins.hpp"
#include "workloads/params.hpp"

namespace scxlab::workloads {
namespace fs = std::filesystem;
namespace {

struct Extraction {
  MetricSpec spec;
  std::string stream = "stdout";
  std::string pattern;  // regex with a capture group, or
  std::optional<std::regex> regex;
  std::optional<nlohmann::json::json_pointer> pointer;
  double scale = 1;
  bool first = false;     // the first match instead of the last
  bool optional = false;  // absent is fine (no metric) instead of a failed run
};

[[noreturn]] void fail(const std::string& file, const std::string& what) {
  throw std::runtime_error(fmt::format("command workload {}: {}", file, what));
}

void reject_unknown_keys(const std::string& file, const std::string& where, const toml::table& t,
                         const std::set<std::string>& known) {
  for (const auto& [key, value] : t) {
    if (!known.count(std::string(key.str()))) {
      fail(file, fmt::format("{}: unknown key '{}' (valid: {})", where, key.str(), fmt::join(known, ", ")));
    }
  }
}

std::string text_of(const toml::node& n) {
  if (auto s = n.value_exact<std::string>()) return *s;
  if (auto b = n.value_exact<bool>()) return *b ? "true" : "false";
  if (auto i = n.value_exact<std::int64_t>()) return std::to_string(*i);
  if (auto d = n.value_exact<double>()) return fmt::format("{}", *d);
  return "";
}

ParamSpec read_param(const std::string& file, const toml::table& t) {
  reject_unknown_keys(file, "[[param]]", t, {"name", "type", "default", "min", "max", "choices", "help"});
  ParamSpec p;
  p.name = t["name"].value_or(std::string());
  p.type = t["type"].value_or(std::string("string"));
  const auto where = fmt::format("[[param]] '{}'", p.name);
  if (p.name.empty()) fail(file, "a [[param]] has no name");
  if (p.name == "background" || p.name == "scratch") fail(file, where + ": the name is reserved");
  static const std::set<std::string> types{"int", "double", "bool", "enum", "string"};
  if (!types.count(p.type)) fail(file, fmt::format("{}: type '{}' is not one of {}", where, p.type, fmt::join(types, "|")));
  if (!t.contains("default")) fail(file, where + ": needs a default");
  p.default_value = text_of(*t.get("default"));
  p.help = t["help"].value_or(std::string());
  p.min = t["min"].value<double>();
  p.max = t["max"].value<double>();
  if (const auto* choices = t["choices"].as_array()) {
    for (const auto& c : *choices) p.choices.push_back(text_of(c));
  }
  if (p.type == "enum" && p.choices.empty()) fail(file, where + ": an enum needs choices = [...]");
  return p;
}

Direction read_direction(const std::string& file, const std::string& where, const std::string& text) {
  if (text == "lower_is_better") return Direction::lower_is_better;
  if (text == "higher_is_better") return Direction::higher_is_better;
  if (text == "informational") return Direction::informational;
  if (auto d = direction_from_string(text)) return *d;  // the short forms: lower, higher, info
  fail(file, fmt::format("{}: direction '{}' is not lower_is_better, higher_is_better or informational", where, text));
}

Extraction read_metric(const std::string& file, const toml::table& t) {
  reject_unknown_keys(file, "[[metric]]", t,
                      {"name", "unit", "direction", "headline", "help", "regex", "json_pointer", "from", "scale", "match", "optional"});
  Extraction e;
  e.spec.name = t["name"].value_or(std::string());
  const auto where = fmt::format("[[metric]] '{}'", e.spec.name);
  if (e.spec.name.empty() || e.spec.name.find_first_of(" \t") != std::string::npos) {
    fail(file, "a [[metric]] needs a name without spaces (dotted: latency_ms.p99)");
  }
  if (!t.contains("unit") || !t.contains("direction")) fail(file, where + ": needs unit and direction");
  e.spec.unit = t["unit"].value_or(std::string());
  e.spec.direction = read_direction(file, where, t["direction"].value_or(std::string()));
  e.spec.headline = t["headline"].value_or(false);
  e.spec.help = t["help"].value_or(std::string());
  e.stream = t["from"].value_or(std::string("stdout"));
  if (e.stream != "stdout" && e.stream != "stderr") fail(file, where + ": from must be stdout or stderr");
  e.scale = t["scale"].value_or(1.0);
  e.first = t["match"].value_or(std::string("last")) == "first";
  e.optional = t["optional"].value_or(false);
  const auto regex = t["regex"].value<std::string>();
  const auto pointer = t["json_pointer"].value<std::string>();
  if (regex.has_value() == pointer.has_value()) fail(file, where + ": give exactly one of regex or json_pointer");
  try {
    if (regex) {
      e.pattern = *regex;
      e.regex.emplace(*regex);
      if (e.regex->mark_count() < 1) fail(file, where + ": the regex needs a capture group around the number: '([0-9.]+) ms'");
    } else {
      e.pattern = *pointer;
      e.pointer.emplace(*pointer);
    }
  } catch (const std::regex_error& err) {
    fail(file, fmt::format("{}: bad regex '{}': {}", where, *regex, err.what()));
  } catch (const nlohmann::json::exception& err) {
    fail(file, fmt::format("{}: bad JSON pointer '{}' (it starts with '/': /latency/p99): {}", where, *pointer, err.what()));
  }
  return e;
}

std::vector<std::string> read_command(const std::string& file, const toml::table& t) {
  if (auto line = t["command"].value<std::string>()) return {"/bin/sh", "-c", *line};
  std::vector<std::string> argv;
  if (const auto* arr = t["command"].as_array()) {
    for (const auto& a : *arr) {
      const auto s = a.value<std::string>();
      if (!s) fail(file, "command: every element of the array must be a string");
      argv.push_back(*s);
    }
  }
  if (argv.empty()) fail(file, "needs command = [\"program\", \"arg\", ...] or command = \"shell line\"");
  return argv;
}

// Replaces {name} for every parameter and {scratch}; other braces (awk, JSON) stay as they are.
std::string substitute(std::string s, const Params& params, const std::string& scratch) {
  auto values = params;
  values["scratch"] = scratch;
  for (const auto& [name, value] : values) {
    const auto placeholder = "{" + name + "}";
    for (auto pos = s.find(placeholder); pos != std::string::npos; pos = s.find(placeholder, pos + value.size())) {
      s.replace(pos, placeholder.size(), value);
    }
  }
  return s;
}

// The whole stream as JSON, or else its last line that is a JSON document.
nlohmann::json json_of(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_discarded()) return j;
  for (auto end = text.size(); end > 0;) {
    const auto begin = text.rfind('\n', end - 1);
    const auto start = begin == std::string::npos ? 0 : begin + 1;
    j = nlohmann::json::parse(text.substr(start, end - start), nullptr, false);
    if (!j.is_discarded() && (j.is_object() || j.is_array())) return j;
    if (begin == std::string::npos) break;
    end = begin;
  }
  return nlohmann::json();
}

std::optional<std::string> extract_text(const Extraction& e, const std::string& stream) {
  if (e.pointer) {
    const auto j = json_of(stream);
    if (j.is_null() || !j.contains(*e.pointer)) return std::nullopt;
    const auto& v = j.at(*e.pointer);
    return v.is_string() ? v.get<std::string>() : v.dump();
  }
  std::optional<std::string> found;
  for (auto it = std::sregex_iterator(stream.begin(), stream.end(), *e.regex); it != std::sregex_iterator(); ++it) {
    found = (*it)[1].str();
    if (e.first) break;
  }
  return found;
}

Measurements extract(const std::vector<Extraction>& rules, const ToolOutput& o) {
  Measurements m;
  for (const auto& e : rules) {
    const auto& stream = e.stream == "stderr" ? o.err : o.out;
    const auto text = extract_text(e, stream);
    if (!text) {
      if (e.optional) continue;
      throw WorkloadFailure(fmt::format("metric '{}': {} '{}' found nothing on {}", e.spec.name,
                                        e.regex ? "the regex" : "the JSON pointer", e.pattern, e.stream));
    }
    try {
      std::size_t used = 0;
      const double v = std::stod(*text, &used);
      m.metrics.push_back(workload_metric(e.spec.name, v * e.scale, e.spec.unit, e.spec.direction));
    } catch (const std::exception&) {
      throw WorkloadFailure(fmt::format("metric '{}': '{}' extracted from {} is not a number", e.spec.name, *text, e.stream));
    }
  }
  return m;
}

std::optional<std::chrono::milliseconds> seconds_key(const std::string& file, const toml::table& t, const char* key) {
  const auto v = t[key].value<double>();
  if (!v) return std::nullopt;
  if (*v <= 0) fail(file, fmt::format("{} must be > 0 seconds", key));
  return std::chrono::milliseconds(static_cast<long long>(*v * 1000));
}

}  // namespace

Definition command_workload(const std::string& path) {
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    if (!fs::exists(path)) fail(path, "no such file");
    fail(path, fmt::format("{} (line {})", e.description(), e.source().begin.line));
  }
  reject_unknown_keys(path, "top level", t,
                      {"name", "summary", "command", "tool", "install_hint", "cwd", "timeout_s", "duration_s", "param", "metric"});
  Definition d;
  d.info.name = "command:" + path;
  d.info.summary = t["summary"].value_or(t["name"].value_or(std::string("command workload")));
  const auto argv = read_command(path, t);
  d.info.tool = t["tool"].value_or(argv[0] == "/bin/sh" ? std::string("sh") : argv[0]);
  d.info.install_hint = t["install_hint"].value_or(fmt::format("install {} or put it on PATH", d.info.tool));
  if (const auto* params = t["param"].as_array()) {
    for (const auto& p : *params) {
      if (!p.is_table()) fail(path, "param must be an array of tables: [[param]]");
      d.info.params.push_back(read_param(path, *p.as_table()));
    }
  }
  std::vector<Extraction> rules;
  if (const auto* metrics = t["metric"].as_array()) {
    for (const auto& m : *metrics) {
      if (!m.is_table()) fail(path, "metric must be an array of tables: [[metric]]");
      rules.push_back(read_metric(path, *m.as_table()));
      d.info.metrics.push_back(rules.back().spec);
    }
  }
  if (rules.empty()) fail(path, "needs at least one [[metric]] with name, unit, direction and a regex or json_pointer");
  d.timeout = seconds_key(path, t, "timeout_s");
  d.stop_after = seconds_key(path, t, "duration_s");
  if (auto cwd = t["cwd"].value<std::string>()) {
    d.cwd = fs::absolute(fs::path(path).parent_path() / *cwd).lexically_normal().string();
  }
  d.command = [argv](const Params& params, const std::string& scratch) {
    std::vector<std::string> out;
    for (const auto& a : argv) out.push_back(substitute(a, params, scratch));
    return out;
  };
  d.parse = [rules](const Params&, const ToolOutput& o) { return extract(rules, o); };
  return d;
}

}  // namespace scxlab::workloads
