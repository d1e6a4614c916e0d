// `scxlab worker`: one host's share of a fleet. It leases the next item of its hardware class
// from the shared store's work queue (store/queue.hpp), runs the item's trials in order with the
// ordinary lab (scheduler lifecycle, restore journal, before/after verification, metrics),
// heartbeats while they run, and completes the item with their records. A lost connection or a
// restarted server: it reconnects and completes the item when the store is back (or drops it,
// when its lease went to another worker meanwhile). Interrupted: it gives the item back.
#pragma once

#include <optional>
#include <string>

namespace scxlab::harness {

struct WorkerOptions {
  std::string store;               // postgresql://...
  std::string hw_class = "auto";   // "auto": this host's hardware class
  std::string state_dir;           // its restore journal and files; "" = the host's journal, a temporary directory
  int lease_s = 60;                // an item whose worker is silent this long goes to another
  std::optional<int> max_items;    // stop after this many items
  std::optional<double> idle_exit_s;  // stop when no item came for this long
  bool quiet = false;
};

// Returns the exit code (0, 2 bad input, 130 interrupted).
int worker_command(const WorkerOptions& options);

}  // namespace scxlab::harness
