// SPDX-License-Identifier: GPL-2.0
/* scxlab_vtime: weighted virtual time, the idea of CFS with sched_ext's tools.
 *
 * Each task carries a vtime that grows by its measured run time scaled by 100 / weight
 * (weight 100 = nice 0), so a heavier task is charged less and runs more. Runnable tasks wait
 * in one shared DSQ ordered by vtime; a CPU that needs work takes the lowest. Knobs (set by
 * user space in .rodata before load):
 *   slice_ns        how long a task runs before the CPU looks for another
 *   lag_ns          sleep credit: a waking task's vtime is raised to at least vtime_now - lag,
 *                   so a long sleeper gets ahead by at most `lag`, never by its whole sleep
 *   wakeup_preempt  a waking task whose vtime is below that of the task running on its CPU
 *                   preempts it
 *   local_idle      a waking task that finds an idle CPU is put straight on that CPU's local
 *                   DSQ, skipping the vtime queue (lower latency, less fairness) */
#include "scx_common.bpf.h"

#define VTIME_DSQ 0
#define NICE0_WEIGHT 100

enum { SCXLAB_VTIME_COUNTERS(SCXLAB_COUNTER_ENUM) NR_COUNTERS };
SCXLAB_DEFINE_COUNTERS(NR_COUNTERS)

const volatile u64 slice_ns = 5000000;
const volatile u64 lag_ns = 20000000;
const volatile bool wakeup_preempt = true;
const volatile bool local_idle = true;

/* The vtime of the most recently started task: the queue's "now". */
static u64 vtime_now;

/* When a task last started running, to charge what it really used. */
struct task_ctx {
	u64 started_at;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_ctx);
} task_ctxs SEC(".maps");

static __always_inline bool vtime_before(u64 a, u64 b)
{
	return (s64)(a - b) < 0;
}

SEC("struct_ops/vtime_select_cpu")
s32 BPF_PROG(vtime_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	bool is_idle = false;
	s32 cpu = scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);

	if (local_idle && is_idle) {
		count(CNT_direct_idle);
		scxlab_dsq_insert(p, SCX_DSQ_LOCAL, slice_ns, 0);
	}
	return cpu;
}

/* Kicks the CPU `p` was placed on if the task running there is further ahead in vtime. */
static __always_inline void preempt_if_behind(struct task_struct *p, u64 vtime)
{
	s32 cpu = scx_bpf_task_cpu(p);
	struct task_struct *curr;
	bool kick;

	bpf_rcu_read_lock();
	curr = scxlab_cpu_curr(cpu);
	kick = curr && curr->pid && curr != p && vtime_before(vtime, curr->scx.dsq_vtime);
	bpf_rcu_read_unlock();
	if (kick) {
		count(CNT_preempt_kicks);
		scx_bpf_kick_cpu(cpu, SCX_KICK_PREEMPT);
	}
}

SEC("struct_ops/vtime_enqueue")
void BPF_PROG(vtime_enqueue, struct task_struct *p, u64 enq_flags)
{
	u64 vtime = p->scx.dsq_vtime;
	u64 floor = vtime_now - lag_ns;

	if (vtime_now > lag_ns && vtime_before(vtime, floor)) {
		count(CNT_lag_clamped);
		vtime = floor;
	}
	count(CNT_queued);
	scxlab_dsq_insert_vtime(p, VTIME_DSQ, slice_ns, vtime, enq_flags);
	if (wakeup_preempt && (enq_flags & SCX_ENQ_WAKEUP))
		preempt_if_behind(p, vtime);
}

SEC("struct_ops/vtime_dispatch")
void BPF_PROG(vtime_dispatch, s32 cpu, struct task_struct *prev)
{
	if (scxlab_dsq_move_to_local(VTIME_DSQ))
		count(CNT_dispatched);
}

/* A deliberately slowed build, for the gate's own test (tests/harness/vm_gate_test.cpp): built
 * with -DSCXLAB_VTIME_DELAY_NS=N, every task start busy-waits N ns. The normal build has none. */
#ifdef SCXLAB_VTIME_DELAY_NS
static long delay_step(u64 index, u64 *end)
{
	return bpf_ktime_get_ns() >= *end;  /* 1 stops the loop */
}

static __always_inline void delay(void)
{
	u64 end = bpf_ktime_get_ns() + SCXLAB_VTIME_DELAY_NS;

	bpf_loop(1 << 20, delay_step, &end, 0);
}
#else
static __always_inline void delay(void) {}
#endif

SEC("struct_ops/vtime_running")
void BPF_PROG(vtime_running, struct task_struct *p)
{
	struct task_ctx *tctx = bpf_task_storage_get(&task_ctxs, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);

	delay();

	if (tctx)
		tctx->started_at = bpf_ktime_get_ns();
	if (vtime_before(vtime_now, p->scx.dsq_vtime))
		vtime_now = p->scx.dsq_vtime;
}

SEC("struct_ops/vtime_stopping")
void BPF_PROG(vtime_stopping, struct task_struct *p, bool runnable)
{
	struct task_ctx *tctx = bpf_task_storage_get(&task_ctxs, p, 0, 0);
	u32 weight = p->scx.weight ? p->scx.weight : 1;
	u64 ran;

	if (!tctx || !tctx->started_at)
		return;
	ran = bpf_ktime_get_ns() - tctx->started_at;
	tctx->started_at = 0;
	scxlab_task_set_dsq_vtime(p, p->scx.dsq_vtime + ran * NICE0_WEIGHT / weight);
}

SEC("struct_ops/vtime_enable")
void BPF_PROG(vtime_enable, struct task_struct *p)
{
	count(CNT_tasks_enabled);
	scxlab_task_set_dsq_vtime(p, vtime_now);
}

/* Sleepable: creating a DSQ allocates. */
SEC("struct_ops.s/vtime_init")
s32 BPF_PROG(vtime_init)
{
	return scx_bpf_create_dsq(VTIME_DSQ, -1);
}

SEC("struct_ops/vtime_exit")
void BPF_PROG(vtime_exit, struct scx_exit_info *ei)
{
	scxlab_report_exit(ei);
}

SEC(".struct_ops.link")
struct sched_ext_ops vtime_ops = {
	.select_cpu = (void *)vtime_select_cpu,
	.enqueue = (void *)vtime_enqueue,
	.dispatch = (void *)vtime_dispatch,
	.running = (void *)vtime_running,
	.stopping = (void *)vtime_stopping,
	.enable = (void *)vtime_enable,
	.init = (void *)vtime_init,
	.exit = (void *)vtime_exit,
	.name = "scxlab_vtime",
};
