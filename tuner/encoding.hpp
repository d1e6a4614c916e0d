// The optimiser's coordinates for a Space: one dimension per TUNED knob.
//   continuous (real knob)  position in [0, 1] on the knob's scale (linear or log)
//   integer                 position in [0, 1] of one of the knob's grid levels
//   categorical (+ boolean) the choice's index (0, 1, ...; false = 0, true = 1)
// Knobs that are not tuned are constants here. Linear constraints are evaluated in the knobs'
// own units, exactly as Space::violations() does, so the two agree on feasibility.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <Eigen/Dense>

#include "tuner/space.hpp"

namespace scxlab::tuner {

// Point sets, one point per row.
using Points = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

enum class DimKind { continuous, integer, categorical };

struct Dim {
  std::size_t knob = 0;    // index in Space::knobs()
  DimKind kind = DimKind::continuous;
  std::size_t levels = 0;  // integer: grid levels; categorical: choices; continuous: 0
};

class Encoding {
 public:
  explicit Encoding(Space space);

  const Space& space() const { return space_; }
  std::size_t size() const { return dims_.size(); }
  const std::vector<Dim>& dims() const { return dims_; }
  const Dim& dim(std::size_t i) const { return dims_.at(i); }
  std::vector<bool> categorical_mask() const;
  std::vector<std::size_t> dims_of(DimKind kind) const;

  // `c` must be canonical (Space::canonical).
  Eigen::VectorXd encode(const Config& c) const;
  // `x` must lie on the grid (from from_unit(), snap() or encode()).
  Config decode(const Eigen::VectorXd& x) const;
  // A point of [0, 1)^size() to a grid point: integer levels and choices uniformly
  // (linear-scale integers) or the level nearest in the cube (log-scale integers).
  Eigen::VectorXd from_unit(std::span<const double> u) const;
  // Nearest grid point (integers to the nearest level, categories rounded and clamped).
  Eigen::VectorXd snap(const Eigen::VectorXd& x) const;

  // Integer dims: level index <-> cube position.
  double level_position(std::size_t dim, std::size_t level) const;
  std::size_t nearest_level(std::size_t dim, double position) const;

  // Numeric dims: cube position -> knob units, and its derivative.
  double native(std::size_t dim, double position) const;
  double native_slope(std::size_t dim, double position) const;

  // Linear constraints (Space::constraints(), same order): lhs - rhs, divided by a constant
  // scale (|rhs| + the largest |coef * value| the terms can take), so <= 0 when satisfied.
  std::size_t constraint_count() const { return constraints_.size(); }
  double constraint_slack(std::size_t k, const Eigen::VectorXd& x) const;
  // d slack / d x (only numeric dims are non-zero).
  Eigen::VectorXd constraint_gradient(std::size_t k, const Eigen::VectorXd& x) const;
  // Does constraint k involve this dim?
  bool constrains(std::size_t k, std::size_t dim) const;
  // The linear constraints hold and the decoded configuration passes the space's rule.
  bool feasible(const Eigen::VectorXd& x) const;

 private:
  struct Term {
    std::size_t dim;
    double coef;
  };
  struct Constraint {
    std::vector<Term> terms;     // tuned knobs
    double constant = 0;         // fixed knobs' contribution minus the bound
    double fixed_magnitude = 0;  // |rhs| + sum |coef * value| over fixed knobs
    double scale = 1;            // divides the slack
  };
  struct Transform {
    double low = 0, high = 1, shift = 0;  // log scale: log(v + shift)
    double t_low = 0, t_span = 1;         // transformed low and range
    bool log = false;
  };
  double to_position(std::size_t dim, double value) const;
  // The knob's value at a position: exact grid values for integer dims (as decode() gives).
  double knob_value(std::size_t dim, double position) const;

  Space space_;
  std::vector<Dim> dims_;
  std::vector<Transform> transforms_;  // per dim (identity for categorical)
  std::vector<Constraint> constraints_;
};

}  // namespace scxlab::tuner
