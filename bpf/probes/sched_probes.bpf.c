// SPDX-License-Identifier: GPL-2.0
/* scxlab's scheduler probes, filtered in the kernel to one workload's tasks: user space marks
 * the workload's root as traced in the current trial, and every task forked by a traced task
 * is marked too.
 *
 * For traced tasks they measure runqueue wait (from a wakeup, or from being switched out while
 * still runnable, until running), on-CPU time between switches, voluntary and involuntary
 * switches, wakeups, migrations (and those across last-level caches), and the schedstat
 * counters of tasks as they exit. Everything is aggregated in maps that user space clears
 * before a trial and reads after it: nothing per event leaves the kernel.
 *
 * Two builds of this file: tp_btf programs keeping per-task state in task local storage (one
 * pointer test for an untraced task, freed with the task), and, as the fallback for kernels
 * where tp_btf does not attach, raw_tp programs keeping it in a hash map keyed by pid
 * (sched_probes_raw.bpf.c). Kernel >= 5.18 (sched_switch's prev_state argument). */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "sched_probes.h"

#define TASK_RUNNING 0x0
#define TASK_DEAD 0x80
#define TASK_WAKING 0x200
#define MAX_PROCESSES 32768

enum { RUNNABLE_BY_WAKEUP = 1, RUNNABLE_BY_PREEMPT };

/* The current trial's number, written by user space; 0 between trials. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} trial SEC(".maps");

/* The workload's processes (tgids), for user space to read their /proc schedstat. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_PROCESSES);
	__type(key, __u32);
	__type(value, __u8);
} tgids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NR_HISTS);
	__type(key, __u32);
	__type(value, struct scxlab_hist);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NR_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* CPU -> its last-level cache (the lowest CPU sharing it), filled by user space, which also
 * sizes it to the number of possible CPUs before loading. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} llc_of_cpu SEC(".maps");

#ifdef SCXLAB_PROBES_RAW_TP

#define PROBE(tracepoint) SEC("raw_tp/" #tracepoint)
#define FIELD(task, field) BPF_CORE_READ(task, field) /* raw_tp arguments are untyped */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4 * MAX_PROCESSES);
	__type(key, __u32);
	__type(value, struct scxlab_task_info);
} task_infos SEC(".maps");

static __always_inline struct scxlab_task_info *task_info_of(struct task_struct *t)
{
	__u32 pid = FIELD(t, pid);

	return bpf_map_lookup_elem(&task_infos, &pid);
}

static __always_inline struct scxlab_task_info *new_task_info(struct task_struct *t)
{
	__u32 pid = FIELD(t, pid);
	struct scxlab_task_info fresh = {};

	bpf_map_update_elem(&task_infos, &pid, &fresh, BPF_ANY);
	return bpf_map_lookup_elem(&task_infos, &pid);
}

/* Task local storage goes with the task; a hash entry must be dropped by hand. */
static __always_inline void task_gone(struct task_struct *t)
{
	__u32 pid = FIELD(t, pid);

	bpf_map_delete_elem(&task_infos, &pid);
}

#else

#define PROBE(tracepoint) SEC("tp_btf/" #tracepoint)
#define FIELD(task, field) ((task)->field) /* typed pointers: plain loads, CO-RE relocated */

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct scxlab_task_info);
} task_infos SEC(".maps");

static __always_inline struct scxlab_task_info *task_info_of(struct task_struct *t)
{
	return bpf_task_storage_get(&task_infos, t, 0, 0);
}

static __always_inline struct scxlab_task_info *new_task_info(struct task_struct *t)
{
	return bpf_task_storage_get(&task_infos, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
}

static __always_inline void task_gone(struct task_struct *t) {}

#endif

static __always_inline __u32 current_trial(void)
{
	__u32 zero = 0, *n = bpf_map_lookup_elem(&trial, &zero);

	return n ? *n : 0;
}

/* The task's state if it is traced in the current trial, else NULL. */
static __always_inline struct scxlab_task_info *traced(struct task_struct *t)
{
	struct scxlab_task_info *ti = task_info_of(t);
	__u32 n;

	if (!ti)
		return NULL;
	n = current_trial();
	return n && ti->trial == n ? ti : NULL;
}

/* Plain increments: the maps are per CPU, and handlers on one CPU do not nest except for a
 * wakeup in an interrupt, which at worst loses one count. */
static __always_inline void count(__u32 id, __u64 n)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &id);

	if (c)
		*c += n;
}

static __always_inline void record(__u32 hist_id, __u64 ns)
{
	struct scxlab_hist *h = bpf_map_lookup_elem(&hists, &hist_id);
	__u32 slot = scxlab_hist_bucket(ns);

	if (h && slot < SCXLAB_HIST_BUCKETS)
		h->slots[slot]++;
}

/* A task woken while already waiting (after a preemption) keeps the earlier start. */
static __always_inline int handle_wakeup(struct task_struct *p)
{
	struct scxlab_task_info *ti = traced(p);

	if (!ti)
		return 0;
	count(CNT_WAKEUPS, 1);
	if (!ti->runnable_since) {
		ti->runnable_since = bpf_ktime_get_ns();
		ti->why = RUNNABLE_BY_WAKEUP;
	}
	return 0;
}

/* A task stays runnable when it was preempted (even while it was about to sleep) or when it
 * left the CPU with its state still TASK_RUNNING (a yield, or a sleep cancelled by a signal). */
static __always_inline void switch_out(struct task_struct *prev, bool preempt, unsigned int prev_state, __u64 now)
{
	struct scxlab_task_info *ti = traced(prev);

	if (!ti)
		return;
	if (ti->oncpu_since) {
		record(HIST_ONCPU, now - ti->oncpu_since);
		ti->oncpu_since = 0;
	}
	if (preempt || prev_state == TASK_RUNNING) {
		count(CNT_SWITCH_INVOLUNTARY, 1);
		ti->runnable_since = now;
		ti->why = RUNNABLE_BY_PREEMPT;
		return;
	}
	count(CNT_SWITCH_VOLUNTARY, 1);
	/* A wakeup that came while the task still ran, before it went to sleep, left a stale
	 * start; one that already woke it from this sleep (its state is running or waking
	 * again) is kept. */
	if (FIELD(prev, __state) & ~TASK_WAKING)
		ti->runnable_since = 0;
	if (prev_state & TASK_DEAD)
		task_gone(prev);
}

static __always_inline void switch_in(struct task_struct *next, __u64 now)
{
	struct scxlab_task_info *ti = traced(next);

	if (!ti)
		return;
	if (ti->runnable_since) {
		record(ti->why == RUNNABLE_BY_WAKEUP ? HIST_RUNQ_AFTER_WAKEUP : HIST_RUNQ_AFTER_PREEMPT,
		       now - ti->runnable_since);
		ti->runnable_since = 0;
	}
	ti->oncpu_since = now;
}

static __always_inline int handle_switch(bool preempt, struct task_struct *prev, struct task_struct *next,
				     unsigned int prev_state)
{
	__u64 now = bpf_ktime_get_ns();

	switch_out(prev, preempt, prev_state, now);
	switch_in(next, now);
	return 0;
}

static __always_inline __u32 llc(__u32 cpu)
{
	__u32 *id = bpf_map_lookup_elem(&llc_of_cpu, &cpu);

	return id ? *id : 0;
}

/* Fires in set_task_cpu() before the task moves: task_cpu(p) is still the source CPU. */
static __always_inline int handle_migrate(struct task_struct *p, int dest_cpu)
{
	if (!traced(p))
		return 0;
	count(CNT_MIGRATIONS, 1);
	if (llc(FIELD(p, thread_info.cpu)) != llc((__u32)dest_cpu))
		count(CNT_MIGRATIONS_CROSS_LLC, 1);
	return 0;
}

/* Fires for processes and threads, before the child's first wakeup (wake_up_new_task). */
static __always_inline int handle_fork(struct task_struct *parent, struct task_struct *child)
{
	struct scxlab_task_info *ti;
	__u32 tgid = FIELD(child, tgid);
	__u8 one = 1;

	if (!traced(parent))
		return 0;
	ti = new_task_info(child);
	if (!ti) {
		count(CNT_LOST, 1);
		return 0;
	}
	ti->trial = current_trial();
	if (tgid != FIELD(parent, tgid) && bpf_map_update_elem(&tgids, &tgid, &one, BPF_ANY))
		count(CNT_LOST, 1);
	return 0;
}

/* What /proc/<pid>/task/<tid>/schedstat would show, taken as the task exits (its /proc entry
 * is gone by the end of the trial). Misses only the runtime of its last partial slice. */
static __always_inline int handle_exit(struct task_struct *p)
{
	if (!traced(p))
		return 0;
	count(CNT_EXIT_RUNTIME_NS, FIELD(p, se.sum_exec_runtime));
	count(CNT_EXIT_RUN_DELAY_NS, FIELD(p, sched_info.run_delay));
	count(CNT_EXIT_PCOUNT, FIELD(p, sched_info.pcount));
	count(CNT_EXITS, 1);
	return 0;
}

PROBE(sched_wakeup)
int BPF_PROG(sched_wakeup, struct task_struct *p) { return handle_wakeup(p); }

PROBE(sched_wakeup_new)
int BPF_PROG(sched_wakeup_new, struct task_struct *p) { return handle_wakeup(p); }

PROBE(sched_switch)
int BPF_PROG(sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next, unsigned int prev_state)
{
	return handle_switch(preempt, prev, next, prev_state);
}

PROBE(sched_migrate_task)
int BPF_PROG(sched_migrate, struct task_struct *p, int dest_cpu) { return handle_migrate(p, dest_cpu); }

PROBE(sched_process_fork)
int BPF_PROG(sched_fork, struct task_struct *parent, struct task_struct *child) { return handle_fork(parent, child); }

PROBE(sched_process_exit)
int BPF_PROG(sched_exit, struct task_struct *p) { return handle_exit(p); }

char LICENSE[] SEC("license") = "GPL";
