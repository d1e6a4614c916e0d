// SPDX-License-Identifier: GPL-2.0
/* scxlab_faulty: a global FIFO that fails on purpose, so tests can watch the kernel eject a
 * BPF scheduler and check that whoever drives it notices and reports why.
 *   stall_after N   the user task of the Nth user-task enqueue is never inserted anywhere,
 *                   then or when it is enqueued again (a dequeue/enqueue for an affinity or
 *                   priority change must not rescue it): it stays runnable without running
 *                   until the watchdog (ops.timeout_ms, set by user space) ejects the
 *                   scheduler with "runnable task stall". Kernel threads are never chosen:
 *                   a stalled kworker may go unnoticed until the scheduler is stopped.
 *   error_after N   the Nth enqueue calls scx_bpf_error(): ejected with "scx_bpf_error"
 *   reject_at_load  a program the verifier refuses, so the scheduler never attaches: the
 *                   branch below is dead code to the verifier unless this read-only value is
 *                   set before the load
 * Every wakeup goes through ops.enqueue (no direct dispatch to idle CPUs), so the count
 * advances with any activity. */
#include "scx_common.bpf.h"

enum { SCXLAB_FAULTY_COUNTERS(SCXLAB_COUNTER_ENUM) NR_COUNTERS };
SCXLAB_DEFINE_COUNTERS(NR_COUNTERS)

const volatile u64 slice_ns = 20000000;
const volatile u64 stall_after; /* 0: never */
const volatile u64 error_after; /* 0: never */
const volatile bool reject_at_load;

#define PF_KTHREAD 0x00200000 /* include/linux/sched.h: a macro, so not in BTF */

static u64 nr_enqueued;
static u64 nr_user_enqueued;
static s32 stalled_pid; /* 0: none yet */

SEC("struct_ops/faulty_select_cpu")
s32 BPF_PROG(faulty_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	bool is_idle = false;

	return scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
}

SEC("struct_ops/faulty_enqueue")
void BPF_PROG(faulty_enqueue, struct task_struct *p, u64 enq_flags)
{
	u64 n = __sync_add_and_fetch(&nr_enqueued, 1);

	count(CNT_enqueued);
	if (n == error_after)
		scxlab_error_u64("injected error at enqueue %llu", n);
	if (stall_after && !stalled_pid && !(p->flags & PF_KTHREAD) &&
	    __sync_add_and_fetch(&nr_user_enqueued, 1) == stall_after)
		stalled_pid = p->pid;
	if (stalled_pid && p->pid == stalled_pid) {
		count(CNT_dropped);
		return;
	}
	scxlab_dsq_insert(p, SCX_DSQ_GLOBAL, slice_ns, enq_flags);
}

SEC("struct_ops/faulty_enable")
void BPF_PROG(faulty_enable, struct task_struct *p)
{
	count(CNT_tasks_enabled);
	if (reject_at_load) {
		/* A key the verifier cannot bound, and no NULL check: it refuses the program with
		 * "invalid mem access 'map_value_or_null'" (a constant in-range key would be proven
		 * non-NULL by recent kernels). */
		u32 key = bpf_get_prandom_u32();
		u64 *v = bpf_map_lookup_elem(&counters, &key);

		*v += 1;
	}
}

SEC("struct_ops/faulty_exit")
void BPF_PROG(faulty_exit, struct scx_exit_info *ei)
{
	scxlab_report_exit(ei);
}

SEC(".struct_ops.link")
struct sched_ext_ops faulty_ops = {
	.select_cpu = (void *)faulty_select_cpu,
	.enqueue = (void *)faulty_enqueue,
	.enable = (void *)faulty_enable,
	.exit = (void *)faulty_exit,
	.timeout_ms = 30000, /* user space sets --timeout-ms */
	.name = "scxlab_faulty",
};
