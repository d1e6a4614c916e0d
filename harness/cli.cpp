#include "harness/cli.hpp"

#include <CLI/CLI.hpp>

namespace scxlab::harness {

int run_cli(int argc, char** argv) {
  CLI::App app{"scxlab: benchmark, compare and tune Linux CPU schedulers"};
  app.require_subcommand(1);
  app.add_subcommand("doctor", "Show what this host can do");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return 0;
}

}  // namespace scxlab::harness
