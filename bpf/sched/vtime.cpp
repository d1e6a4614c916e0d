// scxlab_vtime: a weighted-vtime sched_ext scheduler with real knobs (vtime.bpf.c). Runs until
// SIGINT/SIGTERM.
#include <CLI/CLI.hpp>

#include "bpf/embedded.hpp"
#include "bpf/sched/runner.hpp"
#include "bpf/sched/sched_common.h"

SCXLAB_EMBEDDED_BPF(scxlab_vtime_bpf)

int main(int argc, char** argv) {
  using namespace scxlab::bpf::sched;
  CLI::App app{
      "scxlab_vtime: weighted virtual time. Runnable tasks wait in one queue ordered by the CPU time they\n"
      "used, scaled by their weight (nice); the lowest runs next."};
  std::uint64_t slice_us = 5000, lag_us = 20000;
  bool wakeup_preempt = true, local_idle = true;
  RunOptions options;
  app.add_option("-s,--slice-us", slice_us, "Time slice in microseconds")
      ->check(CLI::Range(std::uint64_t{50}, std::uint64_t{1000000}))
      ->capture_default_str();
  app.add_option("-l,--lag-us", lag_us,
                 "Sleep credit in microseconds: how far behind the queue's vtime a waking task may start")
      ->check(CLI::Range(std::uint64_t{0}, std::uint64_t{10000000}))
      ->capture_default_str();
  app.add_option("-p,--wakeup-preempt", wakeup_preempt,
                 "on|off: a waking task with less vtime preempts the task running on its CPU")
      ->default_str("on");
  app.add_option("-i,--local-idle", local_idle,
                 "on|off: a waking task that finds an idle CPU goes straight to it, skipping the queue")
      ->default_str("on");
  add_common_options(app, options);
  if (auto status = parse_command_line(app, argc, argv)) return *status;
  options.rodata = {{"slice_ns", slice_us * 1000},
                    {"lag_ns", lag_us * 1000},
                    {"wakeup_preempt", wakeup_preempt},
                    {"local_idle", local_idle}};
  return run(
      {"scxlab_vtime", scxlab_vtime_bpf_object(), "vtime_ops", {SCXLAB_VTIME_COUNTERS(SCXLAB_COUNTER_NAME)}},
      options);
}
