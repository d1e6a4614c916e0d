/* Shared by sched_probes.bpf.c and metrics/bpf_collector.cpp: the layout of the probes' maps. */
#ifndef SCXLAB_SCHED_PROBES_H
#define SCXLAB_SCHED_PROBES_H

#include "stats/loglinear.h"

/* Keys of the `hists` map: log-linear histograms of nanoseconds (stats/loglinear.h). */
enum scxlab_hist_id {
	HIST_RUNQ_AFTER_WAKEUP,  /* woken (or new) until running */
	HIST_RUNQ_AFTER_PREEMPT, /* switched out while still runnable until running again */
	HIST_ONCPU,              /* switched in until switched out */
	NR_HISTS,
};

/* Keys of the `counters` map. */
enum scxlab_counter_id {
	CNT_SWITCH_VOLUNTARY,    /* switched out sleeping */
	CNT_SWITCH_INVOLUNTARY,  /* switched out still runnable (preempted, yielded) */
	CNT_WAKEUPS,
	CNT_MIGRATIONS,
	CNT_MIGRATIONS_CROSS_LLC,
	CNT_EXIT_RUNTIME_NS,     /* of tasks that exited: se.sum_exec_runtime, */
	CNT_EXIT_RUN_DELAY_NS,   /*   sched_info.run_delay, */
	CNT_EXIT_PCOUNT,         /*   sched_info.pcount (what /proc/.../schedstat shows) */
	CNT_EXITS,
	CNT_LOST,                /* a map was full: an event could not be recorded */
	NR_COUNTERS,
};

struct scxlab_hist {
	unsigned long long slots[SCXLAB_HIST_BUCKETS];
};

/* What the probes keep per traced task (task local storage, or a hash keyed by pid). User
 * space writes the root's, with `trial` set, to start following a workload. */
struct scxlab_task_info {
	unsigned long long runnable_since; /* ns; 0: not waiting for a CPU */
	unsigned long long oncpu_since;    /* ns; 0: not running */
	unsigned int why;                  /* what made it runnable: 1 wakeup, 2 preemption */
	unsigned int trial;                /* the trial it is traced in: older ones are ignored */
};

#endif
