// The tuner's ask/tell loop: Bayesian optimisation of a black-box objective over a Space.
//
//   Optimizer opt(space, options);
//   for (const auto& [config, outcome] : stored) opt.observe(config, outcome);  // resume
//   while (!opt.finished()) {
//     const Suggestion s = opt.suggest();
//     const Outcome o = run_trial(s.config);     // the caller measures
//     store(s.config, o);
//     opt.observe(s.config, o);
//   }
//   const Recommendation r = opt.recommend();
//
// What it does:
// - Initial design: the default configuration, the caller's named presets, then scrambled
//   Sobol points, max(5, min(2d, budget/5)) in all (at least 1 + presets).
// - No proposal breaks the space's linear constraints or its rule (Space::set_rule): design
//   points and acquisition candidates that do are dropped before anything is proposed.
// - Then each suggestion fits a GP (tuner/gp.hpp) to the standardised objective (log-warped
//   on request) and one GP per outcome constraint, and maximises (tuner/acq_search.hpp)
//     log EI                         while the learned noise is negligible,
//     log noisy EI                   once it is not (noise variance > noisy_threshold),
//     + log P(feasible)              with outcome constraints,
//     log P(feasible) alone          while no observed configuration is feasible.
//   With two objectives it is ParEGO: each suggestion scalarises the normalised objectives
//   with fresh random weights (augmented Chebyshev) and models the scalar.
// - Failed evaluations (the scheduler was ejected, the workload failed) are kept: the model
//   sees them at the worst objective value observed so far, so it steers away.
// - Under noise, the incumbent (best posterior mean) is re-run, at most max_runs times in
//   all, once every `rerun_every` suggestions.
// - recommend() picks, among configurations evaluated without failure, the one with the best
//   posterior mean (not the best single observation) that is feasible with probability
//   >= 0.5 (else the most probably feasible). When the model finds the objective noise-free
//   (noise variance <= noisy_threshold) the posterior mean at an evaluated configuration is
//   taken in its interpolating limit, the configuration's mean observation.
// - suggest() is a pure function of (space, options, observations in order): replaying the
//   same observations into a fresh Optimizer gives the same next proposal, which is what
//   resuming an interrupted run relies on. Calling suggest() twice without an observe() in
//   between returns the same proposal.
// - Batches (several evaluations in flight, a fleet): suggest(pending) proposes knowing the
//   configurations already handed out and not yet observed. During the initial design they are
//   design points, and the next one is returned. Afterwards each pending configuration is
//   "believed" to give the model's posterior mean (Kriging believer, Ginsbourger et al. 2010):
//   the models are conditioned on those fantasies with the hyper-parameters fitted to the real
//   observations, and the usual acquisition is maximised. The fantasy leaves the mean where it
//   was but removes the uncertainty at the pending points, so EI there collapses and the next
//   proposal goes elsewhere: a batch is diverse. Chosen over a Monte-Carlo q-noisy-EI because
//   it costs one conditioning per proposal (no joint sampling over q points), keeps the
//   acquisition the sequential tuner uses, and proposes one point at a time, so a worker that
//   finishes gets its next evaluation at once instead of waiting for a whole batch.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stats/metric.hpp"
#include "tuner/acq_search.hpp"
#include "tuner/gp.hpp"
#include "tuner/space.hpp"

namespace scxlab::tuner {

// A measured quantity to optimise.
struct Objective {
  std::string name = "objective";
  Direction direction = Direction::lower_is_better;
  bool log_scale = false;  // model log(value) (values must be > 0): latencies, run times
};

// A measured quantity that must stay within a bound, e.g. throughput ratio >= 0.95.
struct OutcomeConstraint {
  enum class Kind { at_most, at_least };
  std::string name;
  Kind kind = Kind::at_most;
  double bound = 0;
};

// What one evaluation gave.
struct Outcome {
  bool ok = true;                   // false: the evaluation failed
  std::vector<double> objectives;   // one per Objective (ignored when !ok)
  std::vector<double> constraints;  // one per OutcomeConstraint (ignored when !ok)
  double seconds = 0;               // its duration, counted against Budget::seconds
  static Outcome failure(double seconds = 0) { return Outcome{false, {}, {}, seconds}; }
};

struct Budget {
  std::size_t evaluations = 100;
  double seconds = 0;  // 0: no time limit; else the sum of Outcome::seconds observed
};

struct Preset {
  std::string name;
  Config config;
};

struct OptimizerOptions {
  std::uint64_t seed = 1;
  Budget budget;
  std::vector<Objective> objectives{Objective{}};  // one, or two for a Pareto front
  std::vector<OutcomeConstraint> constraints;
  std::vector<Preset> presets;       // evaluated right after the default configuration
  std::size_t initial_points = 0;    // 0: max(5, min(2d, budget / 5))
  std::size_t max_runs = 3;          // evaluations of one configuration by re-runs
  std::size_t rerun_every = 5;       // one incumbent re-run at most every this many; 0: never
  double noisy_threshold = 1e-4;     // standardised noise variance above which the
                                     // objective counts as noisy (noisy EI, re-runs)
  int noisy_samples = 64;            // posterior draws of noisy EI
  GpOptions gp;
  SearchOptions search;
};

enum class Reason { default_config, preset, initial_design, acquisition, feasibility, rerun };
std::string_view to_string(Reason r);

struct Suggestion {
  Config config;
  Reason reason = Reason::initial_design;
  std::string preset;  // the preset's name when reason == preset
  double log_acquisition = std::numeric_limits<double>::quiet_NaN();
};

struct Observation {
  Config config;
  Outcome outcome;
};

struct Recommendation {
  Config config;
  bool modelled = false;            // false: no model yet, best observed mean
  std::vector<double> predicted;    // posterior mean per objective, the objective's units
  std::vector<double> predicted_low, predicted_high;  // +-1.96 posterior sd, same units
  double feasibility = 1;           // P(all outcome constraints hold) under the model
  std::size_t runs = 0;             // times this configuration was evaluated without failure
  std::vector<double> observed_mean;  // mean observed value per objective
};

// How much each tuned knob matters to the objective, from the fitted length-scales: share
// = (1 / l) / sum (1 / l) over tuned knobs (a short length-scale = a knob the objective is
// sensitive to).
struct KnobImportance {
  std::string knob;
  double lengthscale = 0;
  double share = 0;
};

// The model's partial dependence of the (first) objective on one tuned knob: at each value of
// a grid over the knob's tuning range, the posterior mean averaged over the configurations
// evaluated without failure with that knob set to the value (the other knobs as they were
// evaluated: Friedman's partial dependence over the observed data), and a band from the
// averaged +-1.96 posterior sd; in the objective's units. Values are the knob's own numbers;
// categorical and boolean knobs give the choice's index, named in `labels`. The space's
// constraints are ignored: a value may appear that no feasible configuration has.
struct PartialDependence {
  std::string knob;
  std::vector<double> at;
  std::vector<std::string> labels;  // categorical and boolean knobs: one per value of `at`
  std::vector<double> mean, low, high;
};

struct TracePoint {
  std::size_t index = 0;  // 1-based evaluation number
  bool ok = true, feasible = true;
  double value = 0;       // first objective (NaN when failed)
  double best = 0;        // best feasible value observed so far (NaN until there is one)
};

struct OptimizerState;

class Optimizer {
 public:
  // Throws SpaceError when the space tunes nothing, a preset or the default configuration
  // violates a constraint or the rule, the constraints and rule leave too little room for
  // an initial design (fewer than 1 in 64 sampled configurations pass them), or the
  // options are inconsistent.
  Optimizer(Space space, OptimizerOptions options);
  ~Optimizer();
  Optimizer(Optimizer&&) noexcept;
  Optimizer& operator=(Optimizer&&) noexcept;

  Suggestion suggest() const;
  // The next proposal while `pending` configurations are being evaluated (see the batch note
  // above); suggest({}) is suggest().
  Suggestion suggest(const std::vector<Config>& pending) const;
  // Records an evaluation. Throws SpaceError for a configuration outside the space and
  // std::invalid_argument for an outcome with the wrong number of values, a non-finite
  // value or a non-positive value of a log-scale objective.
  void observe(const Config& config, const Outcome& outcome);
  bool finished() const;

  std::size_t evaluations() const { return observations_.size(); }
  double seconds_used() const;
  const std::vector<Observation>& observations() const { return observations_; }
  const Space& space() const;
  const OptimizerOptions& options() const { return options_; }

  Recommendation recommend() const;
  // Two objectives: the configurations evaluated without failure, feasible and not
  // dominated on their mean observed objectives (one objective: the recommendation).
  std::vector<Config> pareto_front() const;
  std::vector<KnobImportance> importance() const;
  // The learned noise sd of the (first) objective, in the model's units (log units for a
  // log-scale objective); nullopt before a model can be fitted.
  std::optional<double> noise_sd() const;
  std::vector<TracePoint> trace() const;
  // Every tuned knob's, in the order of importance(), on at most `points` values each; empty
  // before a model can be fitted.
  std::vector<PartialDependence> partial_dependence(std::size_t points = 25) const;

  // Runs the loop until the budget is spent, timing each evaluation whose outcome has no
  // duration of its own.
  void run(const std::function<Outcome(const Config&)>& evaluate);

 private:
  struct Models;
  const Models& models() const;
  Optimizer(const Optimizer&) = default;  // for a believer: the state is shared and immutable
  Optimizer believer(const std::vector<Config>& pending) const;
  Outcome believed(const Config& config) const;

  OptimizerOptions options_;
  std::shared_ptr<const OptimizerState> state_;
  std::vector<Observation> observations_;
  mutable std::shared_ptr<const Models> cache_;  // fitted to observations_.size() points
  std::shared_ptr<const Models> frozen_;         // a believer's: whose hyper-parameters its models keep
  std::size_t fantasies_ = 0;                    // a believer's: its last observations are believed, not measured
};

}  // namespace scxlab::tuner
