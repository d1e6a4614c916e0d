#include "tuner/optimizer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "tuner/encoding.hpp"
#include "tuner/log_ei.hpp"
#include "tuner/random.hpp"
#include "tuner/sobol.hpp"

namespace scxlab::tuner {

// Seed streams: each purpose draws from its own stream of the user's seed.
namespace stream {
constexpr std::uint64_t design = 1, noisy_base = 2, fit = 3, search = 4, weights = 5;
}

struct OptimizerState {
  Encoding encoding;
  std::size_t initial_points = 0;
  std::vector<Suggestion> design;  // default, presets, then Sobol points; distinct, feasible
};

namespace {

constexpr std::size_t kAnchors = 5;
constexpr std::size_t kDrawsPerPoint = 64;  // Sobol draws per initial design point at most
constexpr double kParegoRho = 0.05;

std::size_t default_initial_points(std::size_t dims, std::size_t budget) {
  return std::max<std::size_t>(5, std::min(2 * dims, budget / 5));
}

// "a <= b; c + d <= 12; and a rule on whole configurations".
std::string constraint_texts(const Space& space) {
  std::vector<std::string> texts;
  for (const auto& c : space.constraints()) texts.push_back(c.text.empty() ? "a linear constraint" : c.text);
  if (space.has_rule()) texts.push_back("a rule on whole configurations");
  return fmt::format("{}", fmt::join(texts, "; "));
}

// Model targets from raw values: minimised, log-warped on request.
double target(const Objective& o, double v) {
  const double t = o.log_scale ? std::log(v) : v;
  return o.direction == Direction::higher_is_better ? -t : t;
}

double from_target(const Objective& o, double t) {
  const double s = o.direction == Direction::higher_is_better ? -t : t;
  return o.log_scale ? std::exp(s) : s;
}

// Constraint values as "<= 0 is feasible".
double constraint_excess(const OutcomeConstraint& c, double v) {
  return c.kind == OutcomeConstraint::Kind::at_most ? v - c.bound : c.bound - v;
}

struct Standardizer {
  double mean = 0, sd = 1;
  explicit Standardizer(const Eigen::VectorXd& y) {
    if (y.size() == 0) return;
    mean = y.mean();
    const double var = y.size() > 1 ? (y.array() - mean).square().sum() / static_cast<double>(y.size() - 1) : 0;
    sd = var > 1e-300 && std::isfinite(var) ? std::sqrt(var) : 1;
  }
  Eigen::VectorXd apply(const Eigen::VectorXd& y) const { return ((y.array() - mean) / sd).matrix(); }
};

// A GP on one modelled quantity (objective target, scalarisation or constraint excess).
struct Surrogate {
  Standardizer scale;
  GaussianProcess gp;
  Surrogate(const Points& X, const Eigen::VectorXd& y, const Encoding& enc, const GpOptions& o, std::uint64_t seed)
      : scale(y), gp(GaussianProcess::fit(X, scale.apply(y), enc.categorical_mask(), o, seed)) {}
  // Conditioned on (X, y) as `fitted` models its rows (its standardisation and hyper-parameters),
  // the last `fantasies` rows known exactly (a believer's): measured rows keep the learned noise.
  // Standardised anew, fantasies near the optimum would move the prior mean toward them and
  // the believed posterior mean away from the fitted one everywhere.
  Surrogate(const Points& X, const Eigen::VectorXd& y, const Encoding& enc, const Surrogate& fitted,
            std::size_t fantasies, double exact)
      : scale(fitted.scale),
        gp(X, scale.apply(y), enc.categorical_mask(), fitted.gp.hyper(),
           row_noise(y.size(), fitted.gp.hyper().noise, fantasies, exact)) {}

  static Eigen::VectorXd row_noise(Eigen::Index n, double measured, std::size_t fantasies, double exact) {
    Eigen::VectorXd noise = Eigen::VectorXd::Constant(n, measured);
    noise.tail(static_cast<Eigen::Index>(fantasies)).setConstant(std::min(exact, measured));
    return noise;
  }
};

// Failed evaluations enter the models at the worst (largest) value seen among the others.
Eigen::VectorXd impute_failures(std::vector<double> values, const std::vector<bool>& ok) {
  double worst = -std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (ok[i]) worst = std::max(worst, values[i]);
  }
  Eigen::VectorXd y(static_cast<Eigen::Index>(values.size()));
  for (std::size_t i = 0; i < values.size(); ++i) y[static_cast<Eigen::Index>(i)] = ok[i] ? values[i] : worst;
  return y;
}

}  // namespace

std::string_view to_string(Reason r) {
  switch (r) {
    case Reason::default_config: return "default";
    case Reason::preset: return "preset";
    case Reason::initial_design: return "initial design";
    case Reason::acquisition: return "acquisition";
    case Reason::feasibility: return "seeking feasibility";
    case Reason::rerun: return "re-run of the incumbent";
  }
  return "?";
}

// Everything fitted to the first n observations.
struct Optimizer::Models {
  std::size_t n = 0;
  Points X;                                    // encoded observations, in order
  std::vector<bool> ok;                        // evaluation succeeded
  std::vector<std::vector<double>> targets;    // per objective, model targets (minimised)
  std::vector<std::unique_ptr<Surrogate>> objectives;
  std::vector<std::unique_ptr<Surrogate>> constraints;
  std::vector<bool> feasible_observed;         // ok and every constraint held
  // Distinct configurations evaluated without failure that satisfy the space's constraints:
  // index of their first observation.
  std::vector<std::size_t> candidates;

  std::vector<ConstraintModel> constraint_models() const {
    std::vector<ConstraintModel> out;
    for (const auto& c : constraints) out.push_back({&c->gp, (0 - c->scale.mean) / c->scale.sd});
    return out;
  }

  // P(all constraints hold) at the rows of P.
  Eigen::VectorXd feasibility(const Points& P) const {
    if (constraints.empty()) return Eigen::VectorXd::Ones(P.rows());
    return LogProbabilityOfFeasibility(constraint_models()).values(P).array().exp().matrix();
  }

  // Mean model target of objective j over the successful runs of observation i's configuration.
  double observed_target(std::size_t j, std::size_t i, const std::vector<Observation>& observations) const {
    double sum = 0;
    std::size_t runs = 0;
    for (std::size_t k = 0; k < observations.size(); ++k) {
      if (ok[k] && observations[k].config == observations[i].config) {
        sum += targets[j][k];
        ++runs;
      }
    }
    return sum / static_cast<double>(runs);
  }

  Points rows(const std::vector<std::size_t>& indices) const {
    Points P(static_cast<Eigen::Index>(indices.size()), X.cols());
    for (std::size_t i = 0; i < indices.size(); ++i) P.row(static_cast<Eigen::Index>(i)) = X.row(static_cast<Eigen::Index>(indices[i]));
    return P;
  }
};

Optimizer::Optimizer(Space space, OptimizerOptions options) : options_(std::move(options)) {
  if (space.tuned_count() == 0)
    throw SpaceError(fmt::format("space '{}' tunes no knob: mark at least one knob as tuned", space.name()));
  if (options_.objectives.empty() || options_.objectives.size() > 2)
    throw SpaceError(fmt::format("the tuner optimises 1 or 2 objectives, {} given", options_.objectives.size()));
  if (options_.budget.evaluations == 0) throw SpaceError("the evaluation budget must be at least 1");
  if (const auto bad = space.violations(space.defaults()); !bad.empty())
    throw SpaceError(fmt::format("the default configuration ({}) violates constraint '{}'; fix the constraint or "
                                 "the default",
                                 space.describe(space.defaults()), bad.front()));
  auto state = std::make_shared<OptimizerState>(OptimizerState{Encoding(space), 0, {}});
  const auto& enc = state->encoding;
  const auto& sp = enc.space();

  auto& design = state->design;
  design.push_back({sp.defaults(), Reason::default_config, "", std::numeric_limits<double>::quiet_NaN()});
  for (const auto& p : options_.presets) {
    Config c;
    try {
      c = sp.canonical(p.config);
    } catch (const SpaceError& e) {
      throw SpaceError(fmt::format("preset '{}': {}", p.name, e.what()));
    }
    if (const auto bad = sp.violations(c); !bad.empty())
      throw SpaceError(fmt::format("preset '{}' violates constraint '{}'", p.name, bad.front()));
    design.push_back({c, Reason::preset, p.name, std::numeric_limits<double>::quiet_NaN()});
  }
  state->initial_points = std::max(options_.initial_points ? options_.initial_points
                                                            : default_initial_points(enc.size(), options_.budget.evaluations),
                                    design.size());
  // Enough Sobol points for the initial design and, should every evaluation fail, the whole
  // budget; infeasible and repeated points are skipped.
  const std::size_t wanted = std::max(state->initial_points, options_.budget.evaluations) + design.size();
  SobolSequence sobol(enc.size(), mix_seed(options_.seed, stream::design));
  std::vector<double> u(enc.size());
  std::size_t tries = 0, feasible = 0;
  for (; design.size() < wanted && tries < kDrawsPerPoint * wanted; ++tries) {
    sobol.next(u);
    const auto x = enc.from_unit(u);
    if (!enc.feasible(x)) continue;
    ++feasible;
    Config c = enc.decode(x);
    if (std::any_of(design.begin(), design.end(), [&](const Suggestion& s) { return s.config == c; })) continue;
    design.push_back({std::move(c), Reason::initial_design, "", std::numeric_limits<double>::quiet_NaN()});
  }
  // Few distinct points because the space is small is fine; because nearly every draw breaks
  // a constraint, the search would only circle the few feasible points it found.
  if (design.size() < state->initial_points && feasible * kDrawsPerPoint < tries) {
    throw SpaceError(fmt::format("the constraints leave almost no room in space '{}': {} of {} sampled "
                                 "configurations satisfy them ({}); loosen a constraint, widen a range or tune "
                                 "other knobs",
                                 sp.name(), feasible, tries, constraint_texts(sp)));
  }
  state_ = std::move(state);
}

Optimizer::~Optimizer() = default;
Optimizer::Optimizer(Optimizer&&) noexcept = default;
Optimizer& Optimizer::operator=(Optimizer&&) noexcept = default;

const Space& Optimizer::space() const { return state_->encoding.space(); }

double Optimizer::seconds_used() const {
  double s = 0;
  for (const auto& o : observations_) s += o.outcome.seconds;
  return s;
}

bool Optimizer::finished() const {
  if (observations_.size() >= options_.budget.evaluations) return true;
  return options_.budget.seconds > 0 && seconds_used() >= options_.budget.seconds;
}

void Optimizer::observe(const Config& config, const Outcome& outcome) {
  Config c = space().canonical(config);
  if (outcome.ok) {
    if (outcome.objectives.size() != options_.objectives.size())
      throw std::invalid_argument(fmt::format("outcome has {} objective values, the tuner expects {}",
                                              outcome.objectives.size(), options_.objectives.size()));
    if (outcome.constraints.size() != options_.constraints.size())
      throw std::invalid_argument(fmt::format("outcome has {} constraint values, the tuner expects {}",
                                              outcome.constraints.size(), options_.constraints.size()));
    for (std::size_t j = 0; j < outcome.objectives.size(); ++j) {
      const double v = outcome.objectives[j];
      const auto& o = options_.objectives[j];
      if (!std::isfinite(v))
        throw std::invalid_argument(fmt::format("objective '{}' is not finite ({}); report the evaluation as failed",
                                                o.name, v));
      if (o.log_scale && !(v > 0))
        throw std::invalid_argument(fmt::format("objective '{}' is modelled on a log scale but is {} (must be > 0)",
                                                o.name, v));
    }
    for (std::size_t k = 0; k < outcome.constraints.size(); ++k) {
      if (!std::isfinite(outcome.constraints[k]))
        throw std::invalid_argument(fmt::format("constraint '{}' value is not finite ({})",
                                                options_.constraints[k].name, outcome.constraints[k]));
    }
  }
  observations_.push_back({std::move(c), outcome});
}

const Optimizer::Models& Optimizer::models() const {
  if (cache_ && cache_->n == observations_.size()) return *cache_;
  const auto& enc = state_->encoding;
  auto m = std::make_shared<Models>();
  const auto n = observations_.size();
  m->n = n;
  m->X.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(enc.size()));
  m->targets.resize(options_.objectives.size());
  std::vector<std::vector<double>> excess(options_.constraints.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto& obs = observations_[i];
    m->X.row(static_cast<Eigen::Index>(i)) = enc.encode(obs.config).transpose();
    m->ok.push_back(obs.outcome.ok);
    bool feasible = obs.outcome.ok;
    for (std::size_t j = 0; j < options_.objectives.size(); ++j)
      m->targets[j].push_back(obs.outcome.ok ? target(options_.objectives[j], obs.outcome.objectives[j]) : 0);
    for (std::size_t k = 0; k < options_.constraints.size(); ++k) {
      const double e = obs.outcome.ok ? constraint_excess(options_.constraints[k], obs.outcome.constraints[k]) : 0;
      excess[k].push_back(e);
      feasible = feasible && e <= 0;
    }
    m->feasible_observed.push_back(feasible);
    const bool seen = std::any_of(m->candidates.begin(), m->candidates.end(),
                                  [&](std::size_t c) { return observations_[c].config == obs.config; });
    // A believer's fantasies are no candidates: as anchors of the search they would start it at
    // the pending points, where the acquisition is flat, and as incumbents they were never measured.
    const bool measured = i < n - fantasies_;
    if (obs.outcome.ok && !seen && measured && space().feasible(obs.config)) m->candidates.push_back(i);
  }
  if (std::find(m->ok.begin(), m->ok.end(), true) != m->ok.end()) {
    const std::uint64_t seed = mix_seed(mix_seed(options_.seed, n), stream::fit);
    // A believer keeps the hyper-parameters fitted to the real observations (fitted to its
    // fantasies too, they would learn from values nobody measured), and knows its fantasies
    // exactly: believed with the measurement noise, a pending point would keep enough
    // uncertainty under noise for (noisy) EI to propose it again.
    const auto surrogate = [&](const std::vector<double>& values, const Surrogate* fitted, std::uint64_t s) {
      const auto y = impute_failures(values, m->ok);
      return fitted ? std::make_unique<Surrogate>(m->X, y, enc, *fitted, fantasies_, options_.gp.noise_floor)
                    : std::make_unique<Surrogate>(m->X, y, enc, options_.gp, s);
    };
    for (std::size_t j = 0; j < m->targets.size(); ++j)
      m->objectives.push_back(surrogate(m->targets[j], frozen_ ? frozen_->objectives[j].get() : nullptr, mix_seed(seed, j)));
    for (std::size_t k = 0; k < excess.size(); ++k)
      m->constraints.push_back(surrogate(excess[k], frozen_ ? frozen_->constraints[k].get() : nullptr, mix_seed(seed, 16 + k)));
  }
  cache_ = std::move(m);
  return *cache_;
}

namespace {

// Augmented Chebyshev scalarisation of objective targets normalised to [0, 1] over the
// successful observations (ParEGO, Knowles 2006).
Eigen::VectorXd parego(const std::vector<std::vector<double>>& targets, const std::vector<bool>& ok,
                       const std::vector<double>& weights) {
  const auto n = targets[0].size();
  Eigen::VectorXd s = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(n));
  std::vector<double> lo(targets.size(), std::numeric_limits<double>::infinity()), hi(targets.size(), -lo[0]);
  for (std::size_t j = 0; j < targets.size(); ++j) {
    for (std::size_t i = 0; i < n; ++i) {
      if (!ok[i]) continue;
      lo[j] = std::min(lo[j], targets[j][i]);
      hi[j] = std::max(hi[j], targets[j][i]);
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    double worst = 0, sum = 0;
    for (std::size_t j = 0; j < targets.size(); ++j) {
      const double span = hi[j] > lo[j] ? hi[j] - lo[j] : 1;
      const double v = weights[j] * (targets[j][i] - lo[j]) / span;
      worst = std::max(worst, v);
      sum += v;
    }
    s[static_cast<Eigen::Index>(i)] = worst + kParegoRho * sum;
  }
  return s;
}

// Rows of `indices` ordered by increasing value.
std::vector<std::size_t> order_by(const std::vector<std::size_t>& indices, const Eigen::VectorXd& value) {
  std::vector<std::size_t> order(indices.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return value[static_cast<Eigen::Index>(a)] < value[static_cast<Eigen::Index>(b)];
  });
  return order;
}

}  // namespace

Recommendation Optimizer::recommend() const {
  const auto& m = models();
  Recommendation r;
  if (m.candidates.empty()) {
    r.config = space().defaults();
    return r;
  }
  const Points P = m.rows(m.candidates);
  const Eigen::VectorXd feasibility = m.feasibility(P);
  std::vector<Eigen::VectorXd> means(m.objectives.size()), vars(m.objectives.size());
  for (std::size_t j = 0; j < m.objectives.size(); ++j) {
    const auto& surrogate = *m.objectives[j];
    surrogate.gp.predict(P, means[j], vars[j]);
    if (surrogate.gp.noise() > options_.noisy_threshold) continue;
    // Noise-free regime: the interpolating limit of the posterior mean is the observation;
    // the GP's small nugget would only blur differences below the noise floor.
    for (std::size_t i = 0; i < m.candidates.size(); ++i)
      means[j][static_cast<Eigen::Index>(i)] = (m.observed_target(j, m.candidates[i], observations_) - surrogate.scale.mean) / surrogate.scale.sd;
  }
  // Score: the posterior mean (one objective) or its equal-weight scalarisation (two).
  Eigen::VectorXd score = means[0];
  if (means.size() == 2) {
    std::vector<std::vector<double>> t(2);
    for (std::size_t j = 0; j < 2; ++j) t[j].assign(means[j].data(), means[j].data() + means[j].size());
    score = parego(t, std::vector<bool>(t[0].size(), true), {0.5, 0.5});
  }
  const bool any_feasible = (feasibility.array() >= 0.5).any();
  std::size_t pick = 0;
  for (std::size_t i = 1; i < m.candidates.size(); ++i) {
    const auto a = static_cast<Eigen::Index>(i), b = static_cast<Eigen::Index>(pick);
    const bool better = any_feasible ? (feasibility[a] >= 0.5 && (feasibility[b] < 0.5 || score[a] < score[b]))
                                     : feasibility[a] > feasibility[b];
    if (better) pick = i;
  }
  const auto row = static_cast<Eigen::Index>(pick);
  const auto& chosen = observations_[m.candidates[pick]].config;
  r.config = chosen;
  r.modelled = true;
  r.feasibility = feasibility[row];
  for (std::size_t j = 0; j < m.objectives.size(); ++j) {
    const auto& o = options_.objectives[j];
    const auto& s = m.objectives[j]->scale;
    const double mean = means[j][row] * s.sd + s.mean;
    const double half = 1.96 * std::sqrt(vars[j][row]) * s.sd;
    r.predicted.push_back(from_target(o, mean));
    const double a = from_target(o, mean - half), b = from_target(o, mean + half);
    r.predicted_low.push_back(std::min(a, b));
    r.predicted_high.push_back(std::max(a, b));
    double sum = 0;
    std::size_t runs = 0;
    for (const auto& obs : observations_) {
      if (obs.outcome.ok && obs.config == chosen) {
        sum += obs.outcome.objectives[j];
        ++runs;
      }
    }
    r.runs = runs;
    r.observed_mean.push_back(sum / static_cast<double>(std::max<std::size_t>(runs, 1)));
  }
  return r;
}

Suggestion Optimizer::suggest(const std::vector<Config>& pending) const {
  if (pending.empty()) return suggest();
  return believer(pending).suggest();
}

// This optimiser with each pending configuration observed as the model believes it turns out.
Optimizer Optimizer::believer(const std::vector<Config>& pending) const {
  Optimizer b(*this);
  if (!models().objectives.empty()) b.frozen_ = cache_;
  for (const auto& c : pending) b.observations_.push_back({space().canonical(c), believed(c)});
  b.fantasies_ = pending.size();
  b.cache_.reset();
  return b;
}

// The posterior mean of every objective and constraint at `config`, in their own units; before
// any model, a failure: the pending configuration is a design point handed out, which the
// design then skips.
Outcome Optimizer::believed(const Config& config) const {
  const auto& m = models();
  if (m.objectives.empty()) return Outcome::failure();
  const Eigen::VectorXd x = state_->encoding.encode(space().canonical(config));
  const auto posterior_mean = [&](const Surrogate& s) {
    double mean = 0, var = 0;
    s.gp.predict(x.data(), mean, var);
    return mean * s.scale.sd + s.scale.mean;
  };
  Outcome o{true, {}, {}, 0};
  for (std::size_t j = 0; j < m.objectives.size(); ++j)
    o.objectives.push_back(from_target(options_.objectives[j], posterior_mean(*m.objectives[j])));
  for (std::size_t k = 0; k < m.constraints.size(); ++k) {
    const auto& c = options_.constraints[k];
    const double excess = posterior_mean(*m.constraints[k]);
    o.constraints.push_back(c.kind == OutcomeConstraint::Kind::at_most ? c.bound + excess : c.bound - excess);
  }
  return o;
}

Suggestion Optimizer::suggest() const {
  const auto& design = state_->design;
  const auto observed = [&](const Config& c) {
    return std::any_of(observations_.begin(), observations_.end(), [&](const Observation& o) { return o.config == c; });
  };
  const auto next_design_point = [&]() -> std::optional<Suggestion> {
    for (const auto& s : design) {
      if (!observed(s.config)) return s;
    }
    return std::nullopt;
  };
  const auto& m = models();
  if (observations_.size() < state_->initial_points || m.objectives.empty()) {
    if (auto s = next_design_point()) return *s;
    if (m.objectives.empty()) return design[observations_.size() % design.size()];
  }
  const auto& enc = state_->encoding;
  const auto n = observations_.size();
  const std::uint64_t seed = mix_seed(options_.seed, n);
  const bool noisy = m.objectives[0]->gp.noise() > options_.noisy_threshold;

  // Intensification: re-run the incumbent while it has fewer than max_runs evaluations.
  const auto since_design = n - std::min(n, state_->initial_points);
  if (noisy && options_.rerun_every > 0 && options_.max_runs > 1 &&
      since_design % options_.rerun_every == options_.rerun_every - 1) {
    const auto incumbent = recommend();
    if (incumbent.modelled && incumbent.runs < options_.max_runs)
      return {incumbent.config, Reason::rerun, "", std::numeric_limits<double>::quiet_NaN()};
  }

  // The modelled objective: the (single) objective's GP, or a fresh ParEGO scalarisation.
  const Surrogate* objective = m.objectives[0].get();
  std::unique_ptr<Surrogate> scalarised;
  if (m.objectives.size() == 2) {
    stats::Rng rng(mix_seed(seed, stream::weights));
    const double w = rng.uniform();
    const Eigen::VectorXd s = parego(m.targets, m.ok, {w, 1 - w});
    scalarised = std::make_unique<Surrogate>(m.X, impute_failures({s.data(), s.data() + s.size()}, m.ok), enc,
                                             options_.gp, mix_seed(seed, stream::fit));
    objective = scalarised.get();
  }

  const auto constraints = m.constraint_models();
  const bool any_feasible = std::find(m.feasible_observed.begin(), m.feasible_observed.end(), true) !=
                            m.feasible_observed.end();
  std::vector<std::unique_ptr<Acquisition>> parts;
  Reason reason = Reason::acquisition;
  if (!constraints.empty() && !any_feasible) {
    reason = Reason::feasibility;
  } else if (noisy) {
    parts.push_back(LogExpectedImprovement::noisy(objective->gp, constraints, options_.noisy_samples,
                                                  mix_seed(options_.seed, stream::noisy_base)));
  } else {
    double best = std::numeric_limits<double>::infinity();
    const Eigen::VectorXd& y = objective->gp.targets();
    for (std::size_t i = 0; i < n; ++i) {
      if (m.feasible_observed[i]) best = std::min(best, y[static_cast<Eigen::Index>(i)]);
    }
    parts.push_back(LogExpectedImprovement::plain(objective->gp, best));
  }
  if (!constraints.empty()) parts.push_back(std::make_unique<LogProbabilityOfFeasibility>(constraints));
  const SumOfLogs acquisition(std::move(parts));

  // Anchors for perturbation: the best candidates by posterior mean (or feasibility).
  Points anchors(0, static_cast<Eigen::Index>(enc.size()));
  if (!m.candidates.empty()) {
    const Points P = m.rows(m.candidates);
    Eigen::VectorXd mean, var;
    objective->gp.predict(P, mean, var);
    const Eigen::VectorXd key = reason == Reason::feasibility ? Eigen::VectorXd(-m.feasibility(P)) : mean;
    const auto order = order_by(m.candidates, key);
    std::vector<std::size_t> top;
    for (std::size_t i = 0; i < order.size() && top.size() < kAnchors; ++i) top.push_back(m.candidates[order[i]]);
    anchors = m.rows(top);
  }
  const auto found = maximize_acquisition(acquisition, enc, anchors, options_.search, mix_seed(seed, stream::search));
  return {enc.decode(found.x), reason, "", found.value};
}

std::vector<Config> Optimizer::pareto_front() const {
  if (options_.objectives.size() == 1) return {recommend().config};
  const auto& m = models();
  std::vector<std::pair<Config, std::vector<double>>> points;  // config, mean targets
  for (const auto c : m.candidates) {
    if (!m.feasible_observed[c]) continue;
    std::vector<double> sum(2, 0);
    std::size_t runs = 0;
    for (std::size_t i = 0; i < observations_.size(); ++i) {
      if (!m.ok[i] || !(observations_[i].config == observations_[c].config)) continue;
      for (std::size_t j = 0; j < 2; ++j) sum[j] += m.targets[j][i];
      ++runs;
    }
    for (auto& s : sum) s /= static_cast<double>(runs);
    points.emplace_back(observations_[c].config, sum);
  }
  std::vector<Config> front;
  for (const auto& [config, t] : points) {
    const bool dominated = std::any_of(points.begin(), points.end(), [&](const auto& other) {
      const auto& u = other.second;
      return u[0] <= t[0] && u[1] <= t[1] && (u[0] < t[0] || u[1] < t[1]);
    });
    if (!dominated) front.push_back(config);
  }
  return front;
}

std::vector<KnobImportance> Optimizer::importance() const {
  const auto& m = models();
  if (m.objectives.empty()) return {};
  const auto& enc = state_->encoding;
  const Eigen::VectorXd& ls = m.objectives[0]->gp.hyper().lengthscales;
  const double total = ls.array().inverse().sum();
  std::vector<KnobImportance> out;
  for (std::size_t i = 0; i < enc.size(); ++i) {
    const double l = ls[static_cast<Eigen::Index>(i)];
    out.push_back({space().knobs()[enc.dim(i).knob].name, l, (1 / l) / total});
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.share > b.share; });
  return out;
}

std::optional<double> Optimizer::noise_sd() const {
  const auto& m = models();
  if (m.objectives.empty()) return std::nullopt;
  return std::sqrt(m.objectives[0]->gp.noise()) * m.objectives[0]->scale.sd;
}

std::vector<TracePoint> Optimizer::trace() const {
  std::vector<TracePoint> out;
  const auto& o = options_.objectives[0];
  const bool higher = o.direction == Direction::higher_is_better;
  double best = std::numeric_limits<double>::quiet_NaN();
  for (std::size_t i = 0; i < observations_.size(); ++i) {
    const auto& outcome = observations_[i].outcome;
    TracePoint p;
    p.index = i + 1;
    p.ok = outcome.ok;
    p.value = outcome.ok ? outcome.objectives[0] : std::numeric_limits<double>::quiet_NaN();
    p.feasible = outcome.ok;
    for (std::size_t k = 0; k < options_.constraints.size() && outcome.ok; ++k)
      p.feasible = p.feasible && constraint_excess(options_.constraints[k], outcome.constraints[k]) <= 0;
    if (p.feasible && (std::isnan(best) || (higher ? p.value > best : p.value < best))) best = p.value;
    p.best = best;
    out.push_back(p);
  }
  return out;
}

namespace {

// Positions of dim d in the cube to plot a knob's effect at: its choices, its integer levels
// (at most `points`, evenly spread) or `points` evenly spaced positions.
std::vector<double> effect_grid(const Encoding& enc, std::size_t d, std::size_t points) {
  const auto& dim = enc.dim(d);
  std::vector<double> out;
  if (dim.kind == DimKind::categorical) {
    for (std::size_t c = 0; c < dim.levels; ++c) out.push_back(static_cast<double>(c));
    return out;
  }
  const std::size_t count = dim.kind == DimKind::integer ? std::min(points, dim.levels) : points;
  for (std::size_t i = 0; i < count; ++i) {
    const double u = count > 1 ? static_cast<double>(i) / static_cast<double>(count - 1) : 0;
    out.push_back(dim.kind == DimKind::integer
                      ? enc.level_position(d, static_cast<std::size_t>(std::lround(u * static_cast<double>(dim.levels - 1))))
                      : u);
  }
  return out;
}

std::string choice_label(const Knob& k, std::size_t index) {
  if (k.type == KnobType::boolean) return index ? "true" : "false";
  return k.choices.at(index);
}

}  // namespace

std::vector<PartialDependence> Optimizer::partial_dependence(std::size_t points) const {
  const auto& m = models();
  if (m.objectives.empty()) return {};
  const auto& enc = state_->encoding;
  const auto& surrogate = *m.objectives[0];
  const auto& objective = options_.objectives[0];
  std::vector<std::size_t> measured;
  for (std::size_t i = 0; i < m.ok.size(); ++i) {
    if (m.ok[i]) measured.push_back(i);
  }
  const Points base = m.rows(measured);
  std::vector<PartialDependence> out;
  for (const auto& importance : this->importance()) {
    std::size_t d = 0;
    while (space().knobs()[enc.dim(d).knob].name != importance.knob) ++d;
    const auto& knob = space().knobs()[enc.dim(d).knob];
    const bool categorical = enc.dim(d).kind == DimKind::categorical;
    PartialDependence pd{knob.name, {}, {}, {}, {}, {}};
    for (const double position : effect_grid(enc, d, points)) {
      Points P = base;
      P.col(static_cast<Eigen::Index>(d)).setConstant(position);
      Eigen::VectorXd mean, var;
      surrogate.gp.predict(P, mean, var);
      const double mu = mean.mean() * surrogate.scale.sd + surrogate.scale.mean;
      const double half = 1.96 * var.cwiseMax(0).cwiseSqrt().mean() * surrogate.scale.sd;
      const double a = from_target(objective, mu - half), b = from_target(objective, mu + half);
      pd.at.push_back(categorical ? position : enc.native(d, position));
      if (categorical) pd.labels.push_back(choice_label(knob, static_cast<std::size_t>(position)));
      pd.mean.push_back(from_target(objective, mu));
      pd.low.push_back(std::min(a, b));
      pd.high.push_back(std::max(a, b));
    }
    out.push_back(std::move(pd));
  }
  return out;
}

void Optimizer::run(const std::function<Outcome(const Config&)>& evaluate) {
  while (!finished()) {
    const auto s = suggest();
    const auto start = std::chrono::steady_clock::now();
    Outcome o = evaluate(s.config);
    if (o.seconds <= 0) o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    observe(s.config, o);
  }
}

}  // namespace scxlab::tuner
