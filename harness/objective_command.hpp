// `scxlab tune --space FILE --command CMD`: tuning anything. The command becomes a command
// workload (workloads/README.md "Command workloads") written beside the results, so every
// evaluation is an ordinary trial (timeouts, interruption, the store, the probes): each knob
// of the space is a parameter, written {knob} in CMD, and the objective is the last number
// the command prints on stdout.
#pragma once

#include <string>

#include "stats/metric.hpp"
#include "tuner/space.hpp"

namespace scxlab::harness {

// Throws UsageError when `command` names a {placeholder} that is not a knob of the space.
void check_command(const std::string& command, const tuner::Space& space);

// Writes <dir>/objective.toml and returns the workload's name, "command:<dir>/objective.toml".
std::string write_objective_workload(const std::string& dir, const std::string& command, const tuner::Space& space,
                                     const std::string& metric, Direction direction);

// The command with each {knob} replaced by the configuration's value.
std::string with_values(const std::string& command, const tuner::Space& space, const tuner::Config& config);

}  // namespace scxlab::harness
