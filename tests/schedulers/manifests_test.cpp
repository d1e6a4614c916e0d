#include <cmath>
#include <set>

#include "catch.hpp"
#include "schedulers/constraint.hpp"
#include "schedulers/scheduler.hpp"
#include "support.hpp"

using namespace scxlab::schedulers;
using scxlab::schedulers::test::TempDir;
using scxlab::schedulers::test::write_text;

namespace {

const Manifest& named(const std::vector<Manifest>& all, const std::string& name) {
  for (const auto& m : all) {
    if (m.name == name) return m;
  }
  FAIL("no manifest " << name);
  throw;
}

bool numeric(const Knob& k) { return is_numeric(k.type); }

// Values a tuner may propose for a knob: both ends of its tuning range and three between
// (geometric on a log scale, whole numbers for an int), every choice, both booleans.
std::vector<std::string> tuning_points(const Knob& k) {
  if (k.type == KnobKind::choice) return k.choices;
  if (is_boolean(k.type)) return {"false", "true"};
  std::vector<std::string> points;
  if (!k.tune_min) return points;
  const double lo = *k.tune_min, hi = *k.tune_max;
  for (int i = 0; i <= 4; ++i) {
    const double x = k.scale == "log" ? lo * std::pow(hi / lo, i / 4.0) : lo + (hi - lo) * i / 4.0;
    points.push_back(k.type == KnobKind::integer ? std::to_string(std::llround(x)) : std::to_string(x));
  }
  return points;
}

// Why the knob values are refused (a range, a group or a constraint), "" when they are not.
std::string refusal(const Manifest& m, const std::map<std::string, std::string>& knobs) {
  try {
    effective_knobs(m, Config{m.name, m.name, "", knobs, {}});
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

// Whether moving one other tunable knob within its own tuning range makes name=value valid:
// then the tuner can satisfy the constraint between them.
bool another_tunable_knob_fixes(const Manifest& m, const std::string& name, const std::string& value) {
  for (const auto& other : m.knobs) {
    if (!other.tune || other.name == name) continue;
    for (const auto& v : tuning_points(other)) {
      if (refusal(m, {{name, value}, {other.name, v}}).empty()) return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("every built-in manifest is present and valid") {
  const auto all = load_manifests();
  std::set<std::string> names;
  for (const auto& m : all) names.insert(m.name);
  for (const char* want : {"eevdf", "scx_lavd", "scx_rusty", "scx_bpfland", "scx_flash", "scx_p2dq", "scx_cosmos",
                           "scx_layered", "scx_tickless", "scx_simple", "scx_qmap", "scx_central", "scx_flatcg",
                           "scx_userland", "scx_pair", "scx_cpu0", "scx_sdt", "scxlab_fifo", "scxlab_vtime",
                           "scxlab_faulty"}) {
    INFO(want);
    CHECK(names.count(want) == 1);
  }
  for (const auto& m : all) {
    INFO(m.source_file);
    CHECK(m.source_file.rfind("builtin:", 0) == 0);
    if (m.backend == BackendKind::scx) {
      CHECK_FALSE(m.binary.empty());
      CHECK_FALSE(m.ops_prefix.empty());
    }
    CHECK(m.watchdog_timeout_ms > 0);
    CHECK(m.watchdog_timeout_ms <= 30000);
    std::map<std::string, int> groups;
    for (const auto& k : m.knobs) {
      INFO(k.name);
      if (!k.group.empty()) ++groups[k.group];
      if (numeric(k) && !k.default_value.empty()) {
        const double d = std::stod(k.default_value);
        if (k.min) CHECK(d >= *k.min);
        if (k.max) CHECK(d <= *k.max);
      }
      if (k.tune_min) {
        CHECK(*k.tune_min < *k.tune_max);
        if (k.min) CHECK(*k.tune_min >= *k.min);
        if (k.max) CHECK(*k.tune_max <= *k.max);
      }
      if (k.scale == "log") CHECK(*k.tune_min > 0);
      if (k.tune && numeric(k)) CHECK(k.tune_min.has_value());
      if (k.type == KnobKind::choice) CHECK_FALSE(k.choices.empty());
      CHECK((k.target == "args") == !k.flag.empty());
    }
    for (const auto& [g, n] : groups) CHECK(n >= 2);
    for (const auto& c : m.constraints) {
      for (const auto& n : ConstraintExpr::parse(c.expr).names()) CHECK(m.find_knob(n) != nullptr);
    }
    // Defaults satisfy every constraint, and every preset builds valid arguments.
    CHECK_NOTHROW(build_args(m, Config{m.name, m.name, "", {}, {}}));
    for (const auto& [preset, args] : m.presets) {
      INFO(preset);
      const auto built = build_args(m, Config{m.name, m.name, preset, {}, {}});
      CHECK(parse_args(m, built) == parse_args(m, args));
    }
  }
}

TEST_CASE("the loader's mode presets are the documented flags") {
  const auto all = load_manifests();
  const auto& lavd = named(all, "scx_lavd");
  CHECK(lavd.presets.size() == 5);
  CHECK(build_args(lavd, Config{"scx_lavd", "x", "server", {}, {}}) ==
        std::vector<std::string>{"--performance", "--slice-max-us", "10000", "--slice-min-us", "3000",
                                 "--pinned-slice-us", "3000"});
  const auto& p2dq = named(all, "scx_p2dq");
  CHECK(build_args(p2dq, Config{"scx_p2dq", "x", "gaming", {}, {}}) ==
        std::vector<std::string>{"--sched-mode", "performance", "--task-slice", "true", "--freq-control"});
  const auto& bpfland = named(all, "scx_bpfland");
  const auto ps = parse_args(bpfland, bpfland.presets.at("powersave"));
  CHECK(ps == std::map<std::string, std::string>{
                  {"slice_us", "20000"}, {"primary_domain", "powersave"}, {"idle_resume_us", "100"}, {"throttle_us", "100"}});
  // Modes whose loader arguments are empty (cosmos's auto and server, tickless's auto) are
  // the plain scheduler, so they are no presets.
  const auto& cosmos = named(all, "scx_cosmos");
  CHECK(cosmos.presets == std::map<std::string, std::vector<std::string>>{
                              {"gaming", {"-s", "700"}},
                              {"lowlatency", {"-s", "700", "-m", "performance", "-w"}},
                              {"powersave", {"-m", "powersave"}}});
  const auto& tickless = named(all, "scx_tickless");
  CHECK(tickless.presets == std::map<std::string, std::vector<std::string>>{{"gaming", {"-f", "5000", "-s", "5000"}},
                                                                            {"lowlatency", {"-f", "5000", "-s", "1000"}},
                                                                            {"powersave", {"-f", "50"}},
                                                                            {"server", {"-f", "100"}}});
}

TEST_CASE("every preset's arguments parse against its own manifest and give valid knob values") {
  const auto all = load_manifests();
  int presets = 0;
  for (const auto& m : all) {
    for (const auto& [preset, args] : m.presets) {
      INFO(m.name << ":" << preset);
      std::map<std::string, std::string> from_args;
      REQUIRE_NOTHROW(from_args = parse_args(m, args));
      CHECK_FALSE(from_args.empty());
      const auto config = parse_config(m.name + ":" + preset, all);
      CHECK(config.preset == preset);
      std::map<std::string, std::string> effective;
      REQUIRE_NOTHROW(effective = effective_knobs(m, config));
      CHECK(effective == from_args);
      ++presets;
    }
  }
  CHECK(presets >= 24);  // lavd, bpfland, p2dq: 5 each; cosmos 3; tickless 4; scxlab_faulty 2
}

TEST_CASE("every tunable knob's tuning range is accepted by its manifest's constraints") {
  int checked = 0;
  for (const auto& m : load_manifests()) {
    for (const auto& k : m.knobs) {
      if (!k.tune) continue;
      for (const auto& value : tuning_points(k)) {
        const auto why = refusal(m, {{k.name, value}});
        ++checked;
        if (why.empty()) continue;
        // Tied to a knob the tuner does not move, the range itself must respect the tie.
        INFO(m.name << ": " << k.name << "=" << value << " with the other knobs at their defaults: " << why);
        CHECK(another_tunable_knob_fixes(m, k.name, value));
      }
    }
  }
  CHECK(checked > 500);
}

TEST_CASE("the kernel default's knobs target debugfs, a sysctl and the frames workload's roles") {
  const auto all = load_manifests();
  const auto& eevdf = named(all, "eevdf");
  CHECK(eevdf.backend == BackendKind::kernel);
  CHECK(eevdf.find_knob("base_slice_ns")->target == "debugfs:sched/base_slice_ns");
  CHECK(eevdf.find_knob("migration_cost_ns")->target == "debugfs:sched/migration_cost_ns");
  CHECK(eevdf.find_knob("nr_migrate")->target == "debugfs:sched/nr_migrate");
  CHECK(eevdf.find_knob("autogroup")->target == "sysctl:kernel.sched_autogroup_enabled");
  for (const std::string role : {"input", "sim", "jobs", "render", "present", "audio"}) {
    CHECK(eevdf.find_knob(role + "_nice")->target == "workload:" + role + "_nice");
    CHECK(eevdf.find_knob(role + "_slice_us")->target == "workload:" + role + "_slice_us");
    CHECK(eevdf.find_knob(role + "_policy")->choices == std::vector<std::string>{"other", "batch", "idle", "fifo", "rr"});
  }
}

TEST_CASE("scx_layered gets its shipped default layer spec as the positional argument") {
  const auto all = load_manifests();
  const auto& layered = named(all, "scx_layered");
  const auto args = build_args(layered, Config{"scx_layered", "x", "", {{"slice_us", "5000"}}, {}});
  REQUIRE(args.size() == 3);
  CHECK(args[0].front() == '[');  // inline JSON, one argument
  CHECK(args[0].find("\"Open\"") != std::string::npos);
  CHECK(args[1] == "--slice-us");
  CHECK(build_args(layered, Config{"scx_layered", "x", "", {{"specs", "f:/etc/my.json"}}, {}})[0] == "f:/etc/my.json");
}

TEST_CASE("a user directory adds a scheduler and replaces a built-in one by name") {
  TempDir dir;
  write_text(dir / "scx_mine.toml", R"(name = "scx_mine"
backend = "scx"
binary = "scx_mine"
ops_prefix = "mine"
[[knobs]]
name = "slice_us"
flag = "--slice-us"
type = "int"
default = 1000
min = 1
tune_range = [100, 10000]
scale = "log"
tune = true
)");
  write_text(dir / "scx_simple.toml", "name = \"scx_simple\"\nbackend = \"scx\"\nbinary = \"/opt/simple\"\nops_prefix = \"simple\"\n");
  const auto all = load_manifests({dir.path()});
  CHECK(named(all, "scx_mine").origin == "user");
  CHECK(named(all, "scx_mine").source_file == dir / "scx_mine.toml");
  CHECK(named(all, "scx_simple").binary == "/opt/simple");
  CHECK(named(all, "scx_lavd").source_file == "builtin:scx_lavd.toml");
  CHECK_THROWS_WITH(load_manifests({dir / "missing"}), Catch::Contains("does not exist"));
}

TEST_CASE("a broken manifest fails naming the file, the knob and the problem") {
  TempDir dir;
  const auto bad = [&](const std::string& body) {
    write_text(dir / "bad.toml", "name = \"scx_bad\"\nbackend = \"scx\"\nbinary = \"b\"\nops_prefix = \"b\"\n" + body);
    try {
      load_manifest_file(dir / "bad.toml");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("loaded");
  };
  const std::string knob = "[[knobs]]\nname = \"k\"\nflag = \"--k\"\n";
  CHECK_THAT(bad(knob + "type = \"int\"\ndefault = 50\nmin = 0\nmax = 10\n"),
             Catch::Contains("bad.toml") && Catch::Contains("knob 'k'") && Catch::Contains("outside its range"));
  CHECK_THAT(bad(knob + "type = \"integer\"\n"), Catch::Contains("type 'integer'"));
  CHECK_THAT(bad(knob + "type = \"int\"\ntune_range = [0, 100]\nscale = \"log\"\n"), Catch::Contains("log scale"));
  CHECK_THAT(bad(knob + "type = \"int\"\ntune = true\n"), Catch::Contains("needs a tune_range"));
  CHECK_THAT(bad(knob + "type = \"flag\"\ngroup = \"g\"\n"), Catch::Contains("single member"));
  CHECK_THAT(bad(knob + "type = \"int\"\n[[constraints]]\nexpr = \"k <= nope\"\n"), Catch::Contains("names no knob 'nope'"));
  CHECK_THAT(bad(knob + "type = \"int\"\n[[constraints]]\nexpr = \"k <=\"\n"), Catch::Contains("expected"));
  CHECK_THAT(bad(knob + "type = \"int\"\n[presets]\nfast = [\"--nope\"]\n"),
             Catch::Contains("preset 'fast'") && Catch::Contains("'--nope'"));
  CHECK_THAT(bad(knob + "type = \"int\"\nflavour = 1\n"), Catch::Contains("unknown key 'flavour'"));
  CHECK_THAT(bad(knob + "type = \"int\"\nrepeat = true\n"), Catch::Contains("only a string knob"));
  CHECK_THAT(bad(knob + "type = \"string\"\n[[constraints]]\nexpr = \"count(k) > 1\"\n"),
             Catch::Contains("count(k) needs a knob with repeat = true"));
  CHECK_THAT(bad("[[knobs]]\nname = \"k\"\ntype = \"int\"\n"), Catch::Contains("needs a flag"));
  CHECK_THAT(bad("watchdog_timeout_ms = 60000\n"), Catch::Contains("30000"));
}

TEST_CASE("constraint expressions: chains, booleans, precedence and unknowns") {
  const auto e = ConstraintExpr::parse("p == 0 || lo <= p <= hi");
  CHECK(e.names() == std::vector<std::string>{"p", "lo", "hi"});
  std::map<std::string, double> v{{"p", 0}, {"lo", 500}, {"hi", 5000}};
  const auto lookup = [&](const ConstraintExpr::Ref& r) -> std::optional<double> {
    const auto it = v.find(r.measure == ConstraintExpr::Measure::count ? "#" + r.name : r.name);
    return it == v.end() ? std::nullopt : std::optional<double>(it->second);
  };
  CHECK(e.eval(lookup) == true);
  v["p"] = 300;
  CHECK(e.eval(lookup) == false);
  v["p"] = 3000;
  CHECK(e.eval(lookup) == true);
  v.erase("hi");
  CHECK_FALSE(e.eval(lookup).has_value());
  const auto b = ConstraintExpr::parse("x == false || (a == false && c != true)");
  v = {{"x", 1}, {"a", 0}, {"c", 1}};
  CHECK(b.eval(lookup) == false);
  v["c"] = 0;
  CHECK(b.eval(lookup) == true);
  const auto n = ConstraintExpr::parse("queues == count(slices) && count <= 3");
  CHECK(n.names() == std::vector<std::string>{"queues", "slices", "count"});
  CHECK(n.refs().at(1) == ConstraintExpr::Ref{"slices", ConstraintExpr::Measure::count});
  v = {{"queues", 3}, {"#slices", 3}, {"count", 1}};
  CHECK(n.eval(lookup) == true);
  v["#slices"] = 4;
  CHECK(n.eval(lookup) == false);
  CHECK_THROWS_WITH(ConstraintExpr::parse("count(3) == a"), Catch::Contains("a knob name in count( )"));
  CHECK_THROWS_WITH(ConstraintExpr::parse("count(a == b"), Catch::Contains("')'"));
  CHECK_THROWS_WITH(ConstraintExpr::parse("(a < b"), Catch::Contains("')'"));
  CHECK_THROWS_WITH(ConstraintExpr::parse("a ! b"), Catch::Contains("unexpected character '!'"));
  CHECK_THROWS_WITH(ConstraintExpr::parse("a"), Catch::Contains("comparison"));
}

TEST_CASE("a test-only scheduler stays out of the default shootout unless named") {
  const auto all = load_manifests();
  CHECK_FALSE(named(all, "scxlab_faulty").default_shootout);
  CHECK(named(all, "scxlab_fifo").default_shootout);
  CHECK(named(all, "scx_lavd").default_shootout);
  TempDir dir;
  write_text(dir.path() + "/bad.toml", "name = \"x\"\nbackend = \"scx\"\nbinary = \"x\"\ndefault_shootout = \"no\"\n");
  CHECK_THROWS_WITH(load_manifest_file(dir.path() + "/bad.toml"),
                    Catch::Contains("default_shootout must be true or false"));
}
