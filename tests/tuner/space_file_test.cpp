// A user's TOML space file: every knob type, scales, steps, fixed knobs, linear constraints
// (chains, >=), and mistakes refused with messages naming the file, the knob and the fix.
#include <fstream>
#include <string>

#include "catch.hpp"
#include "process.hpp"
#include "tuner/space_file.hpp"

using namespace scxlab::tuner;

namespace {

const char* const kSpace = R"(
name = "demo"
[[knob]]
name = "threads"
type = "int"
range = [1, 64]
scale = "log"
default = 8
unit = "count"
[[knob]]
name = "batch"
type = "int"
range = [0, 100]
step = 10
default = 20
flag = "--batch"
style = "equals"
[[knob]]
name = "ratio"
type = "real"
range = [0, 1]
default = 0.5
[[knob]]
name = "turbo"
type = "bool"
default = false
flag = "--turbo"
style = "presence"
[[knob]]
name = "mode"
type = "choice"
choices = ["fast", "safe"]
default = "safe"
tune = false
[[knob]]
name = "min_us"
type = "int"
range = [10, 1000]
default = 100
[[knob]]
name = "mid_us"
type = "int"
range = [10, 1000]
default = 300
[[knob]]
name = "max_us"
type = "int"
range = [10, 1000]
default = 500
[[constraint]]
expr = "min_us <= mid_us <= max_us - 10"
[[constraint]]
expr = "2*ratio + threads >= 1.5"
)";

// The defaults with some knobs changed.
Config with(const Space& s, std::initializer_list<std::pair<const char*, Value>> changes) {
  auto c = s.defaults();
  for (const auto& [name, value] : changes) c.values.at(*s.index_of(name)) = value;
  return c;
}

// A space of one int knob `a` in [1, 4] plus `extra` TOML after it.
std::string one_knob(const std::string& extra) {
  return "[[knob]]\nname = \"a\"\ntype = \"int\"\nrange = [1, 4]\ndefault = 2\n" + extra;
}

void refused(const std::string& text, const std::string& part) {
  INFO(text);
  CHECK_THROWS_WITH(parse_space(text, "bad.toml"), Catch::StartsWith("bad.toml") && Catch::Contains(part));
}

}  // namespace

TEST_CASE("a space file gives every knob type with its range, scale, step, binding and default", "[space_file]") {
  const auto s = parse_space(kSpace, "demo.toml");
  CHECK(s.name() == "demo");
  REQUIRE(s.knobs().size() == 8);

  const auto& threads = s.knob("threads");
  CHECK(threads.type == KnobType::integer);
  CHECK(threads.scale == Scale::log);
  CHECK(threads.low == 1);
  CHECK(threads.high == 64);
  CHECK(threads.step == 1);
  CHECK(threads.meta.at("unit") == "count");

  const auto& batch = s.knob("batch");
  CHECK(batch.step == 10);
  CHECK(batch.scale == Scale::linear);
  CHECK(batch.flag == "--batch");
  CHECK(batch.style == FlagStyle::equals);

  CHECK(s.knob("ratio").type == KnobType::real);
  CHECK(s.knob("turbo").type == KnobType::boolean);
  CHECK(s.knob("turbo").style == FlagStyle::presence);
  CHECK(s.knob("mode").type == KnobType::categorical);
  CHECK(s.knob("mode").choices == std::vector<std::string>{"fast", "safe"});

  CHECK(s.defaults() == Config{{std::int64_t{8}, std::int64_t{20}, 0.5, false, std::string{"safe"}, std::int64_t{100},
                                std::int64_t{300}, std::int64_t{500}}});
  CHECK_FALSE(s.tuned(*s.index_of("mode")));
  CHECK(s.tuned_count() == 7);
}

TEST_CASE("a space file's constraints are linear, chains split into links, >= turned into <=", "[space_file]") {
  const auto s = parse_space(kSpace, "demo.toml");
  REQUIRE(s.constraints().size() == 3);
  const auto& ge = s.constraints()[2];
  CHECK(ge.terms == std::vector<std::pair<std::string, double>>{{"ratio", -2}, {"threads", -1}});
  CHECK(ge.rhs == -1.5);

  CHECK(s.feasible(s.defaults()));
  CHECK(s.violations(with(s, {{"min_us", std::int64_t{400}}})) == std::vector<std::string>{"min_us <= mid_us"});
  CHECK(s.violations(with(s, {{"mid_us", std::int64_t{495}}})) == std::vector<std::string>{"mid_us <= max_us - 10"});
  CHECK(s.feasible(with(s, {{"mid_us", std::int64_t{490}}})));
  // 2*0.1 + 1 < 1.5, but 2*0.25 + 1 is on the bound.
  CHECK(s.violations(with(s, {{"threads", std::int64_t{1}}, {"ratio", 0.1}})) ==
        std::vector<std::string>{"2*ratio + threads >= 1.5"});
  CHECK(s.feasible(with(s, {{"threads", std::int64_t{1}}, {"ratio", 0.25}})));
}

TEST_CASE("a space file's constraint terms collect on the left", "[space_file]") {
  const auto s = parse_space(
      "[[knob]]\nname = \"a\"\ntype = \"real\"\nrange = [-5, 5]\ndefault = 0\n"
      "[[knob]]\nname = \"b\"\ntype = \"real\"\nrange = [-5, 5]\ndefault = 0\n"
      "[[constraint]]\nexpr = \"a + 2*b <= 10\"\n[[constraint]]\nexpr = \"a >= b\"\n"
      "[[constraint]]\nexpr = \"-a + 3 <= 0.5*b - a + 1e1 - b\"\n",
      "dir/sum.toml");
  CHECK(s.name() == "sum");  // the file's stem
  REQUIRE(s.constraints().size() == 3);
  CHECK(s.constraints()[0].terms == std::vector<std::pair<std::string, double>>{{"a", 1}, {"b", 2}});
  CHECK(s.constraints()[0].rhs == 10);
  CHECK(s.constraints()[1].terms == std::vector<std::pair<std::string, double>>{{"a", -1}, {"b", 1}});
  CHECK(s.constraints()[1].rhs == 0);
  CHECK(s.constraints()[2].terms == std::vector<std::pair<std::string, double>>{{"b", 0.5}});  // a cancels
  CHECK(s.constraints()[2].rhs == 7);
}

TEST_CASE("a space file's mistakes are refused naming the file, the knob and the fix", "[space_file]") {
  CHECK_NOTHROW(parse_space(one_knob(""), "bad.toml"));
  refused(one_knob("rnage = [1, 3]\n"), "knob 'a' (int): unknown key 'rnage' at line 6");
  refused(one_knob("choices = [\"x\", \"y\"]\n"), "unknown key 'choices'");
  refused(one_knob("[[constraint]]\nexpr = \"a <= 3\"\nexp = \"a >= 2\"\n"), "unknown key 'exp'");
  refused("nmae = \"x\"\n" + one_knob(""), "top level: unknown key 'nmae'");
  refused("[[knob]]\nname = \"a\"\ntype = \"int\"\nrange = [1, 4]\ndefault = 9\n",
          "knob 'a': value 9 is outside its tuning range [1, 4]");
  refused("[[knob]]\nname = \"a\"\ntype = \"int\"\nrange = [0, 10]\nstep = 5\ndefault = 3\n", "off its grid");
  refused("[[knob]]\nname = \"a\"\ntype = \"int\"\nrange = [0, 10]\nstep = 3\ndefault = 3\n", "whole number of steps");
  refused("[[knob]]\nname = \"a\"\ntype = \"int\"\nrange = [1, 4]\n", "knob 'a': missing default");
  refused("[[knob]]\nname = \"a\"\ntype = \"int\"\nrange = [1, 4]\ndefault = 2.5\n", "default must be an integer");
  refused("[[knob]]\nname = \"a\"\ntype = \"float\"\ndefault = 1\n", "type = \"float\" is not one of: int, real, bool, choice");
  refused("[[knob]]\nname = \"a\"\ndefault = 1\n", "knob 'a': missing type");
  refused("[[knob]]\nname = \"a\"\ntype = \"real\"\ndefault = 1\n", "missing range = [low, high]");
  refused("[[knob]]\nname = \"a\"\ntype = \"real\"\nrange = [0, 1]\nscale = \"lg\"\ndefault = 1\n",
          "scale = \"lg\" is not one of: linear, log");
  refused("[[knob]]\nname = \"a\"\ntype = \"bool\"\ndefault = 1\n", "default must be true or false");
  refused("[[knob]]\nname = \"a\"\ntype = \"bool\"\ndefault = true\ntune = \"no\"\n", "tune must be true or false");
  refused("[[knob]]\nname = \"Threads\"\ntype = \"bool\"\ndefault = true\n", "lower_snake_case");
  refused("[[knob]]\nname = \"c\"\ntype = \"choice\"\nchoices = [\"x\", 2]\ndefault = \"x\"\n", "list of strings");
  refused("[[knob]]\nname = \"c\"\ntype = \"choice\"\nchoices = [\"x\", \"y\"]\ndefault = \"z\"\n",
          "'z' is not one of its choices");
  refused(one_knob("[[knob]]\nname = \"a\"\ntype = \"bool\"\ndefault = true\n"), "knob 'a' is defined twice");
  refused("[knob]\nname = \"a\"\n", "knob must be tables written [[knob]]");
  refused("name = \"x\"\n", "no knobs");
}

TEST_CASE("a space file's bad constraints are refused with the constraint's text", "[space_file]") {
  refused(one_knob("[[constraint]]\nexpr = \"a <= b\"\n"), "constraint 'a <= b': unknown knob 'b'");
  refused(one_knob("[[constraint]]\nexpr = \"a * a <= 3\"\n"), "'a * a' is not linear");
  refused(one_knob("[[constraint]]\nexpr = \"a*2 <= 3\"\n"), "is not linear");
  refused(one_knob("[[constraint]]\nexpr = \"a 2 <= 3\"\n"), "is not linear");
  refused(one_knob("[[constraint]]\nexpr = \"a <=\"\n"), "is not linear");
  refused(one_knob("[[constraint]]\nexpr = \"a == 3\"\n"), "needs <= or >=");
  refused(one_knob("[[constraint]]\nexpr = \"a < 3\"\n"), "needs <= or >=");
  refused(one_knob("[[constraint]]\nexpr = \"a <= a + 1\"\n"), "has no knob in it");
  refused(one_knob("[[constraint]]\n"), "constraint at line 6: missing expr");
  refused(one_knob("[[constraint]]\nexpr = \"a >= 3\"\n"), "the defaults (a=2) violate constraint 'a >= 3'");
}

TEST_CASE("a space file that is not TOML is refused naming the file and line", "[space_file]") {
  CHECK_THROWS_WITH(parse_space("name = \"x\"\n[[knob]\nname = 3\n", "bad.toml"), Catch::StartsWith("bad.toml:2:"));
  CHECK_THROWS_WITH(parse_space("name = \"x\"\n\n\nthreads = = 3\n", "bad.toml"), Catch::StartsWith("bad.toml:4:"));
}

TEST_CASE("a space file is loaded from disk", "[space_file]") {
  const auto dir = scxlab::test::fresh_temp_dir("space_file");
  const auto path = (dir / "mine.toml").string();
  std::ofstream(path) << one_knob("");
  const auto s = load_space_file(path);
  CHECK(s.name() == "mine");
  CHECK(s.knob("a").type == KnobType::integer);
  CHECK_THROWS_WITH(load_space_file("/nonexistent/space.toml"),
                    Catch::StartsWith("/nonexistent/space.toml: cannot open the space file"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("the example space file loads", "[space_file]") {
  const auto s = load_space_file(SCXLAB_SOURCE_DIR "/tuner/examples/quadratic.toml");
  CHECK(s.tuned_count() == 3);
  CHECK(s.feasible(s.defaults()));
}
