// SPDX-License-Identifier: GPL-2.0
/* scxlab's scheduler probes, filtered in the kernel to one workload's task tree: a set of
 * tgids seeded by user space with the workload's root and grown on every fork from a member.
 *
 * For the tasks in the set they measure runqueue wait (from a wakeup, or from being switched
 * out while still runnable, until running), on-CPU time between switches, voluntary and
 * involuntary switches, wakeups, migrations (and those across last-level caches), and the
 * schedstat counters of tasks as they exit. Everything is aggregated in maps that user space
 * clears before a trial and reads after it: nothing per event leaves the kernel.
 *
 * Every handler is built twice, as tp_btf (preferred) and raw_tp (fallback) program; user
 * space loads one family. Kernel >= 5.18 (sched_switch's prev_state argument). */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "sched_probes.h"

#define TASK_RUNNING 0
#define EEXIST 17
#define MAX_TGIDS 32768
#define MAX_RUNNABLE 32768

enum { RUNNABLE_BY_WAKEUP, RUNNABLE_BY_PREEMPT };

struct runnable {
	__u64 since;
	__u32 why;
};

/* The workload's processes. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_TGIDS);
	__type(key, __u32);
	__type(value, __u8);
} tgids SEC(".maps");

/* Traced tasks that are runnable but not running, by pid: since when and why. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_RUNNABLE);
	__type(key, __u32);
	__type(value, struct runnable);
} runnable_since SEC(".maps");

/* The traced task running on this CPU, if any: a task is switched out where it runs. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scxlab_running);
} running_now SEC(".maps");

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

static __always_inline bool traced(struct task_struct *t)
{
	__u32 tgid = BPF_CORE_READ(t, tgid);

	return bpf_map_lookup_elem(&tgids, &tgid) != NULL;
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

/* BPF_NOEXIST keeps the earlier start when a task already waiting is woken again. */
static __always_inline void mark_runnable(struct task_struct *t, __u32 why, __u64 flags)
{
	__u32 pid = BPF_CORE_READ(t, pid);
	struct runnable r = {.since = bpf_ktime_get_ns(), .why = why};
	long err = bpf_map_update_elem(&runnable_since, &pid, &r, flags);

	if (err && err != -EEXIST)
		count(CNT_LOST, 1);
}

static __always_inline int on_wakeup(struct task_struct *p)
{
	if (!traced(p))
		return 0;
	count(CNT_WAKEUPS, 1);
	/* A task woken before it managed to sleep is still running: it waits for nothing. */
	if (!BPF_CORE_READ(p, on_cpu))
		mark_runnable(p, RUNNABLE_BY_WAKEUP, BPF_NOEXIST);
	return 0;
}

static __always_inline void switch_out(struct task_struct *prev, bool still_runnable, __u64 now)
{
	__u32 zero = 0;
	struct scxlab_running *r = bpf_map_lookup_elem(&running_now, &zero);

	if (r && r->since && r->pid == BPF_CORE_READ(prev, pid)) {
		record(HIST_ONCPU, now - r->since);
		r->since = 0;
	}
	if (!traced(prev))
		return;
	if (still_runnable) {
		count(CNT_SWITCH_INVOLUNTARY, 1);
		mark_runnable(prev, RUNNABLE_BY_PREEMPT, BPF_ANY);
	} else {
		count(CNT_SWITCH_VOLUNTARY, 1);
	}
}

static __always_inline void switch_in(struct task_struct *next, __u64 now)
{
	__u32 zero = 0, pid;
	struct runnable *q;
	struct scxlab_running *r;

	if (!traced(next))
		return;
	pid = BPF_CORE_READ(next, pid);
	q = bpf_map_lookup_elem(&runnable_since, &pid);
	if (q) {
		record(q->why == RUNNABLE_BY_WAKEUP ? HIST_RUNQ_AFTER_WAKEUP : HIST_RUNQ_AFTER_PREEMPT,
		       now - q->since);
		bpf_map_delete_elem(&runnable_since, &pid);
	}
	r = bpf_map_lookup_elem(&running_now, &zero);
	if (r) {
		r->pid = pid;
		r->since = now;
	}
}

/* A task stays runnable when it was preempted (even while it was about to sleep) or when it
 * left the CPU with its state still TASK_RUNNING (a yield, or a sleep cancelled by a signal). */
static __always_inline int on_switch(bool preempt, struct task_struct *prev, struct task_struct *next,
				     unsigned int prev_state)
{
	__u64 now = bpf_ktime_get_ns();

	switch_out(prev, preempt || prev_state == TASK_RUNNING, now);
	switch_in(next, now);
	return 0;
}

static __always_inline __u32 llc(__u32 cpu)
{
	__u32 *id = bpf_map_lookup_elem(&llc_of_cpu, &cpu);

	return id ? *id : 0;
}

/* Fires in set_task_cpu() before the task moves: task_cpu(p) is still the source CPU. */
static __always_inline int on_migrate(struct task_struct *p, int dest_cpu)
{
	if (!traced(p))
		return 0;
	count(CNT_MIGRATIONS, 1);
	if (llc(BPF_CORE_READ(p, thread_info.cpu)) != llc((__u32)dest_cpu))
		count(CNT_MIGRATIONS_CROSS_LLC, 1);
	return 0;
}

/* Fires before the child's first wakeup (wake_up_new_task), so that wakeup is seen. Threads
 * share their parent's tgid, already in the set. */
static __always_inline int on_fork(struct task_struct *parent, struct task_struct *child)
{
	__u32 tgid = BPF_CORE_READ(child, tgid);
	__u8 one = 1;

	if (tgid == BPF_CORE_READ(parent, tgid) || !traced(parent))
		return 0;
	if (bpf_map_update_elem(&tgids, &tgid, &one, BPF_ANY))
		count(CNT_LOST, 1);
	return 0;
}

/* What /proc/<pid>/task/<tid>/schedstat would show, taken as the task exits (its /proc entry
 * is gone by the end of the trial). Misses only the runtime of its last partial slice. */
static __always_inline int on_exit(struct task_struct *p)
{
	if (!traced(p))
		return 0;
	count(CNT_EXIT_RUNTIME_NS, BPF_CORE_READ(p, se.sum_exec_runtime));
	count(CNT_EXIT_RUN_DELAY_NS, BPF_CORE_READ(p, sched_info.run_delay));
	count(CNT_EXIT_PCOUNT, BPF_CORE_READ(p, sched_info.pcount));
	count(CNT_EXITS, 1);
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(btf_wakeup, struct task_struct *p) { return on_wakeup(p); }

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(btf_wakeup_new, struct task_struct *p) { return on_wakeup(p); }

SEC("tp_btf/sched_switch")
int BPF_PROG(btf_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	return on_switch(preempt, prev, next, prev_state);
}

SEC("tp_btf/sched_migrate_task")
int BPF_PROG(btf_migrate, struct task_struct *p, int dest_cpu) { return on_migrate(p, dest_cpu); }

SEC("tp_btf/sched_process_fork")
int BPF_PROG(btf_fork, struct task_struct *parent, struct task_struct *child) { return on_fork(parent, child); }

SEC("tp_btf/sched_process_exit")
int BPF_PROG(btf_exit, struct task_struct *p) { return on_exit(p); }

SEC("raw_tp/sched_wakeup")
int BPF_PROG(raw_wakeup, struct task_struct *p) { return on_wakeup(p); }

SEC("raw_tp/sched_wakeup_new")
int BPF_PROG(raw_wakeup_new, struct task_struct *p) { return on_wakeup(p); }

SEC("raw_tp/sched_switch")
int BPF_PROG(raw_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	return on_switch(preempt, prev, next, prev_state);
}

SEC("raw_tp/sched_migrate_task")
int BPF_PROG(raw_migrate, struct task_struct *p, int dest_cpu) { return on_migrate(p, dest_cpu); }

SEC("raw_tp/sched_process_fork")
int BPF_PROG(raw_fork, struct task_struct *parent, struct task_struct *child) { return on_fork(parent, child); }

SEC("raw_tp/sched_process_exit")
int BPF_PROG(raw_exit, struct task_struct *p) { return on_exit(p); }

char LICENSE[] SEC("license") = "GPL";
