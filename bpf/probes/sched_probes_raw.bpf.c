// SPDX-License-Identifier: GPL-2.0
/* The raw_tp build of the scheduler probes: the fallback for kernels where tp_btf programs do
 * not attach. Per-task state lives in a hash map keyed by pid instead of task local storage. */
#define SCXLAB_PROBES_RAW_TP 1
#include "sched_probes.bpf.c"
