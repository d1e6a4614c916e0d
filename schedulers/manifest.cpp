// Manifests: reading the TOML files (built in, user directories, named directories) and
// checking everything a later step relies on, so a broken manifest fails at load time with
// the file and the knob named, not halfway through a run.
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <regex>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include "schedulers/constraint.hpp"
#include "schedulers/host_io.hpp"
#include "schedulers/knob_values.hpp"
#include "schedulers/scheduler.hpp"
#include "stats/embedded_text.hpp"

namespace scxlab {
std::vector<EmbeddedText> builtin_scheduler_manifests();  // generated: schedulers/CMakeLists.txt
}

namespace scxlab::schedulers {
namespace fs = std::filesystem;
namespace {

// Resolves a file a manifest names (default_file) relative to where the manifest came from.
using FileReader = std::function<std::string(const std::string& name)>;

const std::set<std::string> kTopKeys = {"name", "summary", "backend", "origin", "binary", "ops_prefix",
                                        "watchdog_timeout_ms", "stats_socket", "knobs", "constraints", "presets",
                                        "default_shootout", "attach_timeout_s"};
const std::set<std::string> kKnobKeys = {"name", "flag", "short", "type", "default", "default_file", "min", "max",
                                         "tune_range", "scale", "unit", "choices", "group", "tune", "target", "meaning",
                                         "repeat"};

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw ManifestError(fmt::format("{}: {}", where, what));
}

constexpr KnobKind kKnobKinds[] = {KnobKind::flag, KnobKind::bool_value, KnobKind::bool_eq, KnobKind::integer,
                                   KnobKind::real,  KnobKind::choice,     KnobKind::string};

KnobKind knob_kind_of(const std::string& word, const std::string& where) {
  for (const auto kind : kKnobKinds) {
    if (to_string(kind) == word) return kind;
  }
  std::vector<std::string_view> words;
  for (const auto kind : kKnobKinds) words.push_back(to_string(kind));
  fail(where, fmt::format("type '{}' is not one of {}", word, fmt::join(words, ", ")));
}

BackendKind backend_kind_of(const std::string& word, const std::string& file) {
  for (const auto kind : {BackendKind::kernel, BackendKind::scx}) {
    if (to_string(kind) == word) return kind;
  }
  fail(file, "backend must be kernel or scx");
}

void check_keys(const toml::table& t, const std::set<std::string>& allowed, const std::string& where) {
  for (const auto& [key, value] : t) {
    if (!allowed.count(std::string(key.str()))) {
      fail(where, fmt::format("unknown key '{}' at line {} (allowed: {})", key.str(), key.source().begin.line,
                              fmt::join(allowed, ", ")));
    }
  }
}

std::string text_of(const toml::node& n, const std::string& where) {
  if (auto s = n.value<std::string>(); s && n.is_string()) return *s;
  if (n.is_integer()) return std::to_string(*n.value<int64_t>());
  if (n.is_floating_point()) return fmt::format("{}", *n.value<double>());
  if (n.is_boolean()) return *n.value<bool>() ? "true" : "false";
  fail(where, "expected a string, number or boolean");
}

std::optional<double> number_of(const toml::table& t, const char* key, const std::string& where) {
  const auto* n = t.get(key);
  if (!n) return std::nullopt;
  if (!n->is_number()) fail(where, fmt::format("'{}' at line {} must be a number", key, n->source().begin.line));
  return n->value<double>();
}

std::string string_of(const toml::table& t, const char* key, const std::string& where, std::string fallback = "") {
  const auto* n = t.get(key);
  if (!n) return fallback;
  if (!n->is_string()) fail(where, fmt::format("'{}' at line {} must be a string", key, n->source().begin.line));
  return *n->value<std::string>();
}

bool boolean_of(const toml::table& t, const char* key, const std::string& where) {
  const auto* n = t.get(key);
  if (!n) return false;
  if (!n->is_boolean()) fail(where, fmt::format("'{}' at line {} must be true or false", key, n->source().begin.line));
  return *n->value<bool>();
}

std::vector<std::string> strings_of(const toml::node& n, const std::string& where) {
  const auto* arr = n.as_array();
  if (!arr) fail(where, "expected an array of strings");
  std::vector<std::string> out;
  for (const auto& e : *arr) {
    if (!e.is_string()) fail(where, "expected an array of strings");
    out.push_back(*e.value<std::string>());
  }
  return out;
}

void check_target(const Knob& k, const std::string& where) {
  static const std::regex target_re(R"(args|debugfs:[A-Za-z0-9_./-]+|sysctl:[a-z0-9_.]+|workload:[a-z0-9_]+)");
  if (!std::regex_match(k.target, target_re)) {
    fail(where, fmt::format("target '{}' must be args, debugfs:<path>, sysctl:<name> or workload:<param>", k.target));
  }
  if (k.target == "args" && k.flag.empty()) fail(where, "a knob passed on the command line needs a flag");
  if (k.target != "args" && !k.flag.empty()) fail(where, "only command-line knobs (target args) have a flag");
}

void check_ranges(const Knob& k, const std::string& where) {
  const bool numeric = is_numeric(k.type);
  if (!numeric && (k.min || k.max || k.tune_min)) fail(where, "only int and double knobs have min, max or tune_range");
  if (k.min && k.max && *k.min > *k.max) fail(where, "min is above max");
  if (k.type == KnobKind::integer) {
    for (const auto& b : {k.min, k.max, k.tune_min, k.tune_max}) {
      if (b && std::floor(*b) != *b) fail(where, "an int knob's bounds must be whole numbers");
    }
  }
  if (k.tune_min) {
    if (*k.tune_min >= *k.tune_max) fail(where, "tune_range must be [low, high] with low < high");
    if ((k.min && *k.tune_min < *k.min) || (k.max && *k.tune_max > *k.max)) fail(where, "tune_range leaves the hard range");
  }
  if (k.scale != "linear" && k.scale != "log") fail(where, "scale must be linear or log");
  if (k.scale == "log" && !(k.tune_min && *k.tune_min > 0)) fail(where, "a log scale needs a tune_range above 0");
  if (k.tune && numeric && !k.tune_min) fail(where, "a numeric knob worth tuning (tune = true) needs a tune_range");
}

Knob parse_knob(const toml::table& t, const std::string& file, const FileReader& read_file) {
  Knob k;
  k.name = string_of(t, "name", file);
  const std::string where = fmt::format("{}: knob '{}'", file, k.name);
  check_keys(t, kKnobKeys, where);
  if (!std::regex_match(k.name, std::regex("[a-z][a-z0-9_]*"))) fail(where, "a knob name is lower_snake_case");
  k.flag = string_of(t, "flag", where);
  k.short_flag = string_of(t, "short", where);
  k.type = knob_kind_of(string_of(t, "type", where), where);
  if (const auto* d = t.get("default")) k.default_value = text_of(*d, where);
  if (t.contains("default_file")) {
    const auto name = string_of(t, "default_file", where);
    try {
      k.default_value = nlohmann::json::parse(read_file(name)).dump();  // one line, for an argument
    } catch (const std::exception& e) {
      fail(where, fmt::format("default_file '{}': {}", name, e.what()));
    }
  }
  // Absent, a presence-only flag is false; a bool_value or bool_eq knob without a default
  // leaves the choice to the scheduler (p2dq's --turbo: left as the firmware set it).
  if (k.type == KnobKind::flag && k.default_value.empty()) k.default_value = "false";
  if (k.type == KnobKind::flag && k.default_value != "false") {
    fail(where, "a presence-only flag is absent by default: default must be false (say in meaning what the "
                "scheduler does without it)");
  }
  k.min = number_of(t, "min", where);
  k.max = number_of(t, "max", where);
  if (const auto* r = t.get("tune_range")) {
    const auto* arr = r->as_array();
    if (!arr || arr->size() != 2 || !(*arr)[0].is_number() || !(*arr)[1].is_number()) {
      fail(where, "tune_range must be [low, high]");
    }
    k.tune_min = (*arr)[0].value<double>();
    k.tune_max = (*arr)[1].value<double>();
  }
  k.scale = string_of(t, "scale", where, "linear");
  k.unit = string_of(t, "unit", where);
  if (const auto* c = t.get("choices")) k.choices = strings_of(*c, where + " choices");
  if (k.type == KnobKind::choice && k.choices.empty()) fail(where, "an enum knob needs choices");
  k.group = string_of(t, "group", where);
  k.tune = boolean_of(t, "tune", where);
  k.repeat = boolean_of(t, "repeat", where);
  k.target = string_of(t, "target", where, "args");
  k.meaning = string_of(t, "meaning", where);
  check_target(k, where);
  check_ranges(k, where);
  if (k.repeat && (k.type != KnobKind::string || k.target != "args" || k.flag == "<positional>")) {
    fail(where, "only a string knob passed as a command-line option can repeat");
  }
  return k;
}

void check_manifest(const Manifest& m, const std::string& file) {
  if (m.backend == BackendKind::scx && (m.binary.empty() || m.ops_prefix.empty())) fail(file, "an scx scheduler needs binary and ops_prefix");
  static const std::set<std::string> origins = {"scx", "kernel-tools", "scxlab", "kernel", "user"};
  if (!origins.count(m.origin)) fail(file, fmt::format("origin must be one of {}", fmt::join(origins, ", ")));
  std::set<std::string> names;
  std::map<std::string, int> group_sizes;
  int positional = 0;
  for (const auto& k : m.knobs) {
    if (!names.insert(k.name).second) fail(file, fmt::format("knob '{}' appears twice", k.name));
    if (!k.group.empty()) ++group_sizes[k.group];
    if (k.flag == "<positional>") ++positional;
    if (!k.default_value.empty() && k.type != KnobKind::string) {
      try {
        checked_value(m, k, k.default_value);
      } catch (const std::exception& e) {
        fail(file, fmt::format("the default of knob '{}' is invalid: {}", k.name, e.what()));
      }
    }
  }
  if (positional > 1) fail(file, "at most one knob may be <positional>");
  for (const auto& [group, size] : group_sizes) {
    if (size < 2) fail(file, fmt::format("exclusive group '{}' has a single member", group));
  }
  for (const auto& c : m.constraints) {
    const auto where = fmt::format("{}: constraint '{}'", file, c.expr);
    ConstraintExpr expr = [&] {
      try {
        return ConstraintExpr::parse(c.expr);
      } catch (const std::exception& e) {
        fail(where, e.what());
      }
    }();
    for (const auto& [name, measure] : expr.refs()) {
      const Knob* k = m.find_knob(name);
      if (!k) fail(where, fmt::format("names no knob '{}'", name));
      if (measure == ConstraintExpr::Measure::count) {
        if (!k->repeat) fail(where, fmt::format("count({}) needs a knob with repeat = true", name));
      } else if (k->type == KnobKind::choice || k->type == KnobKind::string) {
        fail(where, fmt::format("knob '{}' is not a number or a boolean", name));
      }
    }
  }
}

Manifest parse_manifest(const std::string& text, const std::string& file, const FileReader& read_file) {
  toml::table t;
  try {
    t = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    fail(file, fmt::format("TOML error at line {}: {}", e.source().begin.line, e.description()));
  }
  check_keys(t, kTopKeys, file);
  Manifest m;
  m.source_file = file;
  m.name = string_of(t, "name", file);
  if (m.name.empty()) fail(file, "'name' is missing");
  m.summary = string_of(t, "summary", file);
  m.backend = backend_kind_of(string_of(t, "backend", file), file);
  m.origin = string_of(t, "origin", file, "user");
  m.binary = string_of(t, "binary", file);
  m.ops_prefix = string_of(t, "ops_prefix", file);
  m.stats_socket = string_of(t, "stats_socket", file);
  if (const auto* d = t.get("default_shootout")) {
    if (!d->is_boolean()) fail(file, "default_shootout must be true or false");
    m.default_shootout = *d->value<bool>();
  }
  if (const auto* w = t.get("watchdog_timeout_ms")) {
    if (!w->is_integer() || *w->value<int64_t>() <= 0 || *w->value<int64_t>() > 30000) {
      fail(file, "watchdog_timeout_ms must be an integer in [1, 30000] (the kernel's maximum is 30 s)");
    }
    m.watchdog_timeout_ms = static_cast<int>(*w->value<int64_t>());
  }
  if (const auto* a = t.get("attach_timeout_s")) {
    if (!a->is_integer() || *a->value<int64_t>() <= 0 || *a->value<int64_t>() > 3600) {
      fail(file, "attach_timeout_s must be an integer number of seconds in [1, 3600]");
    }
    m.attach_timeout_s = static_cast<int>(*a->value<int64_t>());
  }
  if (const auto* knobs = t.get("knobs")) {
    if (!knobs->is_array_of_tables()) fail(file, "knobs must be [[knobs]] tables");
    for (const auto& k : *knobs->as_array()) m.knobs.push_back(parse_knob(*k.as_table(), file, read_file));
  }
  if (const auto* cs = t.get("constraints")) {
    if (!cs->is_array_of_tables()) fail(file, "constraints must be [[constraints]] tables with expr and help");
    for (const auto& c : *cs->as_array()) {
      const auto& ct = *c.as_table();
      check_keys(ct, {"expr", "help"}, file + ": constraint");
      m.constraints.push_back({string_of(ct, "expr", file), string_of(ct, "help", file)});
    }
  }
  if (const auto* ps = t.get("presets")) {
    if (!ps->is_table()) fail(file, "presets must be a table of name = [args]");
    for (const auto& [name, args] : *ps->as_table()) {
      m.presets[std::string(name.str())] = strings_of(args, fmt::format("{}: preset '{}'", file, name.str()));
    }
  }
  check_manifest(m, file);
  for (const auto& [name, args] : m.presets) {
    try {
      build_args(m, Config{m.name, m.name + ":" + name, name, {}, {}});
    } catch (const std::exception& e) {
      fail(fmt::format("{}: preset '{}'", file, name), e.what());
    }
  }
  return m;
}

void add_or_replace(std::vector<Manifest>& all, Manifest m) {
  for (auto& existing : all) {
    if (existing.name == m.name) {
      existing = std::move(m);
      return;
    }
  }
  all.push_back(std::move(m));
}

void load_directory(const std::string& dir, std::vector<Manifest>& all) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".toml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) add_or_replace(all, load_manifest_file(f.string()));
}

}  // namespace

Manifest load_manifest_file(const std::string& path) {
  const auto read_beside = [&](const std::string& name) {
    const auto file = (fs::path(path).parent_path() / name).string();
    const auto r = host::read_file(file);
    if (!r.ok) throw ManifestError(fmt::format("cannot read {}: {}", file, host::errno_text(r.err)));
    return r.text;
  };
  const auto r = host::read_file(path);
  if (!r.ok) throw ManifestError(fmt::format("cannot read manifest {}: {}", path, host::errno_text(r.err)));
  return parse_manifest(r.text, path, read_beside);
}

std::vector<std::string> user_manifest_dirs() {
  std::vector<std::string> dirs = {"/etc/scxlab/schedulers"};
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) dirs.push_back(std::string(xdg) + "/scxlab/schedulers");
  else if (const char* home = std::getenv("HOME"); home && *home) dirs.push_back(std::string(home) + "/.config/scxlab/schedulers");
  return dirs;
}

std::vector<Manifest> load_manifests(const std::vector<std::string>& extra_dirs) {
  const auto builtin = builtin_scheduler_manifests();
  const auto read_builtin = [&](const std::string& name) {
    for (const auto& f : builtin) {
      if (f.name == name) return f.contents;
    }
    throw std::runtime_error(fmt::format("no built-in file '{}'", name));
  };
  std::vector<Manifest> all;
  for (const auto& f : builtin) {
    if (fs::path(f.name).extension() == ".toml") add_or_replace(all, parse_manifest(f.contents, "builtin:" + f.name, read_builtin));
  }
  for (const auto& dir : user_manifest_dirs()) load_directory(dir, all);
  for (const auto& dir : extra_dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      throw ManifestError(fmt::format("manifest directory {} does not exist or is not a directory", dir));
    }
    load_directory(dir, all);
  }
  return all;
}

std::string_view to_string(KnobKind kind) {
  switch (kind) {
    case KnobKind::flag: return "flag";
    case KnobKind::bool_value: return "bool_value";
    case KnobKind::bool_eq: return "bool_eq";
    case KnobKind::integer: return "int";
    case KnobKind::real: return "double";
    case KnobKind::choice: return "enum";
    case KnobKind::string: return "string";
  }
  return "?";
}

bool is_boolean(KnobKind kind) {
  return kind == KnobKind::flag || kind == KnobKind::bool_value || kind == KnobKind::bool_eq;
}

bool is_numeric(KnobKind kind) { return kind == KnobKind::integer || kind == KnobKind::real; }

std::string_view to_string(BackendKind kind) { return kind == BackendKind::kernel ? "kernel" : "scx"; }

}  // namespace scxlab::schedulers
