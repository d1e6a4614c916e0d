// Errors the user can act on. Each becomes one line naming the problem and the fix, and
// exit code 2; anything else escaping a command is a bug and exits 70 with its message.
#pragma once

#include <stdexcept>
#include <string>

namespace scxlab::harness {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline constexpr int kExitOk = 0;
inline constexpr int kExitFinding = 1;   // doctor: cannot run a shootout; gate: a regression
inline constexpr int kExitUsage = 2;     // bad input or an environment problem to fix
inline constexpr int kExitInconclusive = 3;  // gate: no regression shown, but not every metric decided
inline constexpr int kExitInternal = 70; // a bug (EX_SOFTWARE)
inline constexpr int kExitInterrupted = 130;

}  // namespace scxlab::harness
