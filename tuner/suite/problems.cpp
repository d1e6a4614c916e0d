#include "tuner/suite/problems.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include <fmt/format.h>
#include <nlopt.hpp>

#include "tuner/encoding.hpp"
#include "tuner/random.hpp"
#include "tuner/sobol.hpp"

namespace scxlab::tuner::suite {
namespace {

using std::numbers::pi;

// ---- test functions on their natural domains -------------------------------------------

double branin(double u, double v) {
  const double x1 = -5 + 15 * u, x2 = 15 * v;
  const double b = 5.1 / (4 * pi * pi), c = 5 / pi, t = 1 / (8 * pi);
  return std::pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * std::cos(x1) + 10;
}

double hartmann3(const double* x) {
  static constexpr double alpha[4] = {1.0, 1.2, 3.0, 3.2};
  static constexpr double A[4][3] = {{3, 10, 30}, {0.1, 10, 35}, {3, 10, 30}, {0.1, 10, 35}};
  static constexpr double P[4][3] = {
      {0.3689, 0.1170, 0.2673}, {0.4699, 0.4387, 0.7470}, {0.1091, 0.8732, 0.5547}, {0.0381, 0.5743, 0.8828}};
  double f = 0;
  for (int i = 0; i < 4; ++i) {
    double s = 0;
    for (int j = 0; j < 3; ++j) s += A[i][j] * (x[j] - P[i][j]) * (x[j] - P[i][j]);
    f -= alpha[i] * std::exp(-s);
  }
  return f;
}

constexpr double kH6P[4][6] = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
                               {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                               {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
                               {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};

double hartmann6(const double* x) {
  static constexpr double alpha[4] = {1.0, 1.2, 3.0, 3.2};
  static constexpr double A[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                     {0.05, 10, 17, 0.1, 8, 14},
                                     {3, 3.5, 1.7, 10, 17, 8},
                                     {17, 8, 0.05, 10, 0.1, 14}};
  double f = 0;
  for (int i = 0; i < 4; ++i) {
    double s = 0;
    for (int j = 0; j < 6; ++j) s += A[i][j] * (x[j] - kH6P[i][j]) * (x[j] - kH6P[i][j]);
    f -= alpha[i] * std::exp(-s);
  }
  return f;
}

double levy(const std::vector<double>& x) {  // on [-10, 10]^d
  const auto w = [&](std::size_t i) { return 1 + (x[i] - 1) / 4; };
  const auto d = x.size();
  double f = std::pow(std::sin(pi * w(0)), 2);
  for (std::size_t i = 0; i + 1 < d; ++i)
    f += std::pow(w(i) - 1, 2) * (1 + 10 * std::pow(std::sin(pi * w(i) + 1), 2));
  f += std::pow(w(d - 1) - 1, 2) * (1 + std::pow(std::sin(2 * pi * w(d - 1)), 2));
  return f;
}

double ackley(const std::vector<double>& x) {  // on [-32.768, 32.768]^d
  double sq = 0, cs = 0;
  for (const double v : x) {
    sq += v * v;
    cs += std::cos(2 * pi * v);
  }
  const double d = static_cast<double>(x.size());
  return -20 * std::exp(-0.2 * std::sqrt(sq / d)) - std::exp(cs / d) + 20 + std::numbers::e;
}

double rosenbrock(const std::vector<double>& x) {  // on [-5, 10]^d
  double f = 0;
  for (std::size_t i = 0; i + 1 < x.size(); ++i) f += 100 * std::pow(x[i + 1] - x[i] * x[i], 2) + std::pow(1 - x[i], 2);
  return f;
}

// ---- spaces ----------------------------------------------------------------------------

Knob real_knob(const std::string& name) {
  Knob k;
  k.name = name;
  k.type = KnobType::real;
  k.low = 0;
  k.high = 1;
  k.default_value = 0.5;
  k.flag = "--" + name;
  return k;
}

Space cube(const std::string& name, std::size_t d) {
  Space s(name);
  for (std::size_t i = 0; i < d; ++i) s.add(real_knob(fmt::format("x{}", i)));
  return s;
}

// Knob values as numbers (integers of the mixed space divided by 10: levels 0, 0.1, ..., 1).
std::vector<double> unit(const Space& s, const Config& c) {
  std::vector<double> u;
  for (std::size_t i = 0; i < s.knobs().size(); ++i) {
    const auto& k = s.knobs()[i];
    if (k.type == KnobType::real) u.push_back(std::get<double>(c.values[i]));
    else if (k.type == KnobType::integer) u.push_back(static_cast<double>(std::get<std::int64_t>(c.values[i])) / 10);
  }
  return u;
}

std::vector<double> scaled(std::vector<double> u, double low, double high) {
  for (auto& v : u) v = low + (high - low) * v;
  return u;
}

Space mixed_space(const std::string& name) {
  Space s(name);
  for (int i = 0; i < 3; ++i) s.add(real_knob(fmt::format("x{}", i)));
  for (int i = 3; i < 6; ++i) {
    Knob k;
    k.name = fmt::format("x{}", i);
    k.type = KnobType::integer;
    k.low = 0;
    k.high = 10;
    k.default_value = std::int64_t{5};
    k.flag = "--" + k.name;
    s.add(k);
  }
  Knob c;
  c.name = "c";
  c.type = KnobType::categorical;
  c.choices = {"c0", "c1", "c2", "c3"};
  c.default_value = std::string("c1");
  c.flag = "--c";
  s.add(c);
  Knob b;
  b.name = "b";
  b.type = KnobType::boolean;
  b.default_value = false;
  b.flag = "--b";
  b.style = FlagStyle::presence;
  s.add(b);
  return s;
}

constexpr std::array<double, 4> kCategoryWeight = {1.0, 0.8, 0.6, 0.9};

std::size_t category(const Space& s, const Config& c) {
  const auto& v = std::get<std::string>(s.value(c, "c"));
  return static_cast<std::size_t>(v[1] - '0');
}

double f5(const Space& s, const Config& c) {
  const auto u = unit(s, c);
  return kCategoryWeight[category(s, c)] * hartmann6(u.data()) + (std::get<bool>(s.value(c, "b")) ? 0 : 0.3);
}

double throughput(const Space& s, const Config& c) {
  const auto u = unit(s, c);
  return 1 - 0.25 * std::max(0.0, u[2] - 0.3) - (category(s, c) == 0 ? 0.04 : 0);
}

// min over x0..x2 in [0,1]^2 x [0, x2_max] and the 11^3 grid of x3..x5 of H6.
double grid_hartmann_min(double x2_max) {
  double best = 0;
  std::array<double, 6> x{};
  for (int a = 0; a <= 10; ++a) {
    for (int b = 0; b <= 10; ++b) {
      for (int c = 0; c <= 10; ++c) {
        x[3] = a / 10.0;
        x[4] = b / 10.0;
        x[5] = c / 10.0;
        nlopt::opt opt(nlopt::LN_BOBYQA, 3);
        opt.set_lower_bounds({0, 0, 0});
        opt.set_upper_bounds({1, 1, x2_max});
        opt.set_xtol_rel(1e-10);
        opt.set_maxeval(400);
        opt.set_min_objective(
            [](const std::vector<double>& z, std::vector<double>&, void* data) {
              auto* full = static_cast<std::array<double, 6>*>(data);
              std::copy(z.begin(), z.end(), full->begin());
              return hartmann6(full->data());
            },
            &x);
        for (const auto& row : kH6P) {
          std::vector<double> z = {row[0], row[1], std::min(row[2], x2_max)};
          double v = 0;
          try {
            opt.optimize(z, v);
          } catch (const std::exception&) {
            continue;
          }
          best = std::min(best, v);
        }
      }
    }
  }
  return best;
}

// Std, median and maximum of f over 4096 Sobol configurations of the space.
void calibrate(Problem& p) {
  const Encoding enc(p.space);
  SobolSequence sobol(enc.size(), 12345);
  std::vector<double> u(enc.size()), values;
  for (int i = 0; i < 4096; ++i) {
    sobol.next(u);
    values.push_back(p.f(enc.decode(enc.from_unit(u))));
  }
  const double med = stats::median(values);
  p.f_worst = *std::max_element(values.begin(), values.end());
  p.noise_scale = p.robust_noise ? med - p.f_star : stats::sample_sd(values);
}

Problem make(std::string id, std::string name, Space space, std::size_t budget, std::function<double(const Config&)> f,
             double f_star, bool robust) {
  Problem p;
  p.id = std::move(id);
  p.name = std::move(name);
  p.space = std::move(space);
  p.budget = budget;
  p.f = std::move(f);
  p.f_star = f_star;
  p.robust_noise = robust;
  return p;
}

}  // namespace

std::vector<Problem> problems() {
  std::vector<Problem> out;
  {
    auto s = cube("branin", 2);
    out.push_back(make("S1", "Branin", s, 50, [s](const Config& c) { const auto u = unit(s, c); return branin(u[0], u[1]); },
                       0.397887357729738, true));
  }
  {
    auto s = cube("hartmann3", 3);
    out.push_back(make("S2", "Hartmann-3", s, 50, [s](const Config& c) { return hartmann3(unit(s, c).data()); },
                       -3.86278214782076, false));
  }
  {
    auto s = cube("hartmann6", 6);
    out.push_back(make("S3", "Hartmann-6", s, 100, [s](const Config& c) { return hartmann6(unit(s, c).data()); },
                       -3.32236801141551, false));
  }
  {
    auto s = cube("hartmann6_inert", 12);
    out.push_back(make("S4", "Hartmann-6 + 6 inert knobs", s, 100,
                       [s](const Config& c) { return hartmann6(unit(s, c).data()); }, -3.32236801141551, false));
  }
  const double h6_grid = grid_hartmann_min(1.0);
  {
    auto s = mixed_space("hartmann6_mixed");
    out.push_back(make("S5", "Hartmann-6, 3 integer knobs, category, boolean", s, 100,
                       [s](const Config& c) { return f5(s, c); }, h6_grid, false));
  }
  {
    auto s = cube("levy4", 4);
    out.push_back(make("S6-levy", "Levy-4", s, 100, [s](const Config& c) { return levy(scaled(unit(s, c), -10, 10)); }, 0,
                       true));
  }
  {
    auto s = cube("ackley5", 5);
    out.push_back(make("S6-ackley", "Ackley-5", s, 100,
                       [s](const Config& c) { return ackley(scaled(unit(s, c), -32.768, 32.768)); }, 0, true));
  }
  {
    auto s = cube("rosenbrock4", 4);
    out.push_back(make("S7", "Rosenbrock-4, log(1 + f)", s, 100,
                       [s](const Config& c) { return std::log1p(rosenbrock(scaled(unit(s, c), -5, 10))); }, 0, true));
  }
  {
    auto s = cube("hartmann6_constrained", 6);
    auto p = make("S8", "Hartmann-6 s.t. sum(x) <= 3, noise SE 0.25", s, 70,
                  [s](const Config& c) { return hartmann6(unit(s, c).data()); }, -3.32236801141551, false);
    p.constraints = {{"sum_x", OutcomeConstraint::Kind::at_most, 3}};
    p.g = [s](const Config& c) {
      const auto u = unit(s, c);
      double sum = 0;
      for (const double v : u) sum += v;
      return std::vector<double>{sum};
    };
    p.observe = [f = p.f, g = p.g](const Config& c, double, stats::Rng& rng) {
      return Outcome{true, {f(c) + 0.25 * standard_normal(rng)}, g(c), 0};
    };
    out.push_back(std::move(p));
  }
  {
    auto s = mixed_space("scheduler_like");
    // Constrained optimum: category 0 needs x2 <= 0.34, the others x2 <= 0.5 (tp >= 0.95).
    double f_star = kCategoryWeight[0] * grid_hartmann_min(0.34);
    const double h6_half = grid_hartmann_min(0.5);
    for (std::size_t c = 1; c < kCategoryWeight.size(); ++c) f_star = std::min(f_star, kCategoryWeight[c] * h6_half);
    auto p = make("S9", "scheduler-like: log-latency, outliers, throughput >= 0.95", s, 60,
                  [s](const Config& c) { return f5(s, c); }, f_star, false);
    p.objective = {"latency", Direction::lower_is_better, true};
    p.constraints = {{"throughput_ratio", OutcomeConstraint::Kind::at_least, 0.95}};
    p.g = [s](const Config& c) { return std::vector<double>{throughput(s, c)}; };
    p.observe = [s](const Config& c, double, stats::Rng& rng) {
      double latency = std::exp(0.1 * f5(s, c) + 0.03 * standard_normal(rng));
      if (rng.uniform() < 0.01) latency *= 2;
      const double tp = throughput(s, c) * (1 + 0.01 * standard_normal(rng));
      return Outcome{true, {latency}, {tp}, 0};
    };
    out.push_back(std::move(p));
  }
  for (auto& p : out) {
    if (!p.observe) {
      p.observe = [f = p.f, g = p.g](const Config& c, double sd, stats::Rng& rng) {
        return Outcome{true, {f(c) + sd * standard_normal(rng)}, g ? g(c) : std::vector<double>{}, 0};
      };
    }
    calibrate(p);
  }
  return out;
}

std::vector<Cell> cells(const std::vector<Problem>& problems) {
  std::vector<Cell> out;
  for (const auto& p : problems) {
    std::vector<double> sigmas = {0, 0.1, 0.3};
    if (p.id == "S6-levy" || p.id == "S6-ackley") sigmas = {0, 0.1};
    if (p.id == "S7" || p.id == "S8" || p.id == "S9") sigmas = {0};
    for (const double s : sigmas) {
      const bool own_noise = p.id == "S8" || p.id == "S9";
      out.push_back({s == 0 ? p.id : fmt::format("{} sigma{:g}{}", p.id, s, p.robust_noise ? "r" : ""), &p,
                     own_noise ? 0 : s});
    }
  }
  return out;
}

bool feasible(const Problem& p, const Config& c) {
  if (!p.g) return true;
  const auto values = p.g(c);
  for (std::size_t k = 0; k < p.constraints.size(); ++k) {
    const auto& con = p.constraints[k];
    const bool ok = con.kind == OutcomeConstraint::Kind::at_most ? values[k] <= con.bound : values[k] >= con.bound;
    if (!ok) return false;
  }
  return true;
}

double regret(const Problem& p, const Config& c) {
  return feasible(p, c) ? p.f(c) - p.f_star : p.f_worst - p.f_star;
}

}  // namespace scxlab::tuner::suite
