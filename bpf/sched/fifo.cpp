// scxlab_fifo: a global-FIFO sched_ext scheduler (fifo.bpf.c). Runs until SIGINT/SIGTERM.
#include <CLI/CLI.hpp>

#include "bpf/embedded.hpp"
#include "bpf/sched/runner.hpp"
#include "bpf/sched/sched_common.h"

SCXLAB_EMBEDDED_BPF(scxlab_fifo_bpf)

int main(int argc, char** argv) {
  using namespace scxlab::bpf::sched;
  CLI::App app{"scxlab_fifo: every task waits in one global FIFO and runs for the same slice."};
  std::uint64_t slice_us = 20000;
  RunOptions options;
  app.add_option("-s,--slice-us", slice_us, "Time slice in microseconds")
      ->check(CLI::Range(std::uint64_t{50}, std::uint64_t{1000000}))
      ->capture_default_str();
  add_common_options(app, options);
  if (auto status = parse_command_line(app, argc, argv)) return *status;
  options.rodata = {{"slice_ns", slice_us * 1000}};
  return run({"scxlab_fifo", scxlab_fifo_bpf_object(), "fifo_ops", {SCXLAB_FIFO_COUNTERS(SCXLAB_COUNTER_NAME)}},
             options);
}
