// scxlab_faulty: a sched_ext scheduler that gets itself ejected on purpose, for tests
// (faulty.bpf.c). Runs until SIGINT/SIGTERM or, more to the point, until the kernel ejects it.
#include <CLI/CLI.hpp>

#include "bpf/embedded.hpp"
#include "bpf/sched/runner.hpp"
#include "bpf/sched/sched_common.h"

SCXLAB_EMBEDDED_BPF(scxlab_faulty_bpf)

int main(int argc, char** argv) {
  using namespace scxlab::bpf::sched;
  CLI::App app{
      "scxlab_faulty: a global FIFO that fails on purpose: it stalls a task until the watchdog ejects it\n"
      "(--stall-after), calls scx_bpf_error() (--error-after), or never loads because the verifier\n"
      "refuses it (--verifier-reject). For testing what drives schedulers."};
  std::uint64_t stall_after = 0, error_after = 0;
  bool verifier_reject = false;
  std::uint32_t timeout_ms = 1000;
  RunOptions options;
  auto* stall = app.add_option("--stall-after", stall_after,
                               "Never dispatch the Nth enqueued task: the watchdog ejects the scheduler")
                    ->check(CLI::PositiveNumber);
  auto* error = app.add_option("--error-after", error_after, "Call scx_bpf_error() at the Nth enqueue")
                    ->check(CLI::PositiveNumber);
  app.add_flag("--verifier-reject", verifier_reject, "Load a program the BPF verifier refuses: the start fails");
  app.add_option("--timeout-ms", timeout_ms,
                 "Watchdog: how long a runnable task may wait (ops.timeout_ms; the kernel caps it at 30000)")
      ->check(CLI::Range(std::uint32_t{100}, std::uint32_t{30000}))
      ->capture_default_str();
  add_common_options(app, options);
  if (auto status = parse_command_line(app, argc, argv)) return *status;
  if (stall->count() == 0 && error->count() == 0 && !verifier_reject) {
    std::fprintf(stderr, "scxlab_faulty: choose a fault: --stall-after N, --error-after N or --verifier-reject\n");
    return kExitUsage;
  }
  options.rodata = {{"stall_after", stall_after}, {"error_after", error_after}, {"reject_at_load", verifier_reject}};
  options.timeout_ms = timeout_ms;
  return run(
      {"scxlab_faulty", scxlab_faulty_bpf_object(), "faulty_ops", {SCXLAB_FAULTY_COUNTERS(SCXLAB_COUNTER_NAME)}},
      options);
}
