// The scxlab command line: parses arguments and dispatches to the subcommands.
#pragma once

namespace scxlab::harness {

// Returns the process exit code: 0 success, 1 a finding (gate failed, doctor: cannot run),
// 2 bad input or an environment problem the user must fix (the message names the fix).
int run_cli(int argc, char** argv);

}  // namespace scxlab::harness
