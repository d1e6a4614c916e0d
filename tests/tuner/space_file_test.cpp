// A user's TOML space file: every knob type, constraints, and errors that name the fix.
#include "catch.hpp"
#include "tuner/space_file.hpp"

using namespace scxlab::tuner;

namespace {

const char* const kSpace = R"(
name = "demo"
[[knob]]
name = "threads"
type = "int"
range = [1, 64]
step = 1
scale = "log"
default = 8
[[knob]]
name = "ratio"
type = "real"
range = [0.0, 1.0]
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
name = "max_us"
type = "int"
range = [10, 1000]
default = 500
[[constraint]]
expr = "min_us <= max_us"
[[constraint]]
expr = "2*ratio + threads >= 1.5"
)";

Space with_one_knob(const std::string& knob_body, const std::string& extra = "") {
  return parse_space("[[knob]]\n" + knob_body + "\n" + extra, "test.toml");
}

}  // namespace

TEST_CASE("a space file gives typed knobs, scales, fixed knobs and linear constraints", "[space_file]") {
  const auto s = parse_space(kSpace, "demo.toml");
  CHECK(s.name() == "demo");
  REQUIRE(s.knobs().size() == 6);
  CHECK(s.knob("threads").type == KnobType::integer);
  CHECK(s.knob("threads").scale == Scale::log);
  CHECK(s.knob("ratio").type == KnobType::real);
  CHECK(s.knob("turbo").style == FlagStyle::presence);
  CHECK(s.knob("mode").type == KnobType::categorical);
  CHECK_FALSE(s.tuned(*s.index_of("mode")));
  CHECK(s.tuned(*s.index_of("threads")));
  CHECK(s.feasible(s.defaults()));

  auto c = s.defaults();
  c.values[*s.index_of("min_us")] = std::int64_t{900};
  c.values[*s.index_of("max_us")] = std::int64_t{200};
  CHECK(s.violations(c) == std::vector<std::string>{"min_us <= max_us"});
  auto d = s.defaults();
  d.values[*s.index_of("threads")] = std::int64_t{1};
  d.values[*s.index_of("ratio")] = 0.1;  // 0.2 + 1 < 1.5
  CHECK(s.violations(d) == std::vector<std::string>{"2*ratio + threads >= 1.5"});
}

TEST_CASE("a space file's mistakes are refused naming the file, the knob and the problem", "[space_file]") {
  const auto refused = [](const std::string& text, const std::string& part) {
    INFO(text);
    CHECK_THROWS_WITH(parse_space(text, "bad.toml"), Catch::Contains("bad.toml") && Catch::Contains(part));
  };
  refused("[[knob]]\nname = \"a\"\ntype = \"int\"\nrange = [1, 4]\ndefault = 2\nrnage = 3\n", "unknown key 'rnage'");
  refused("[[knob]]\nname = \"a\"\ntype = \"int\"\nrange = [1, 4]\n", "needs a default");
  refused("[[knob]]\nname = \"a\"\ntype = \"int\"\nrange = [1, 4]\ndefault = 9\n", "a");
  refused("[[knob]]\nname = \"a\"\ntype = \"float\"\ndefault = 1\n", "type must be int, real, bool or choice");
  refused("[[knob]]\nname = \"a\"\ntype = \"int\"\nrange = [1, 4]\ndefault = 2\n[[constraint]]\nexpr = \"a <= b\"\n", "b");
  refused("[[knob]]\nname = \"a\"\ntype = \"int\"\nrange = [1, 4]\ndefault = 2\n[[constraint]]\nexpr = \"a * a <= 3\"\n",
          "not a sum");
  refused("[[knob]]\nname = \"a\"\ntype = \"int\"\nrange = [1, 4]\ndefault = 2\n[[constraint]]\nexpr = \"a == 3\"\n",
          "needs <= or >=");
  refused("[[knob]\nname = 3\n", "bad.toml:1");
  CHECK_NOTHROW(with_one_knob("name = \"a\"\ntype = \"int\"\nrange = [1, 4]\ndefault = 2"));
}
