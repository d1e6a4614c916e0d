// SPDX-License-Identifier: GPL-2.0
/* scxlab_fifo: one global FIFO. Every task that needs a CPU goes to the back of the kernel's
 * global DSQ with the same slice; idle CPUs take from its front. A waking task that finds
 * an idle CPU goes straight there (the kernel's default ops.select_cpu). The simplest
 * possible sched_ext policy: the baseline the others are compared with. */
#include "scx_common.bpf.h"

enum { SCXLAB_FIFO_COUNTERS(SCXLAB_COUNTER_ENUM) NR_COUNTERS };
SCXLAB_DEFINE_COUNTERS(NR_COUNTERS)

const volatile u64 slice_ns = 20000000; /* --slice-us */

SEC("struct_ops/fifo_enqueue")
void BPF_PROG(fifo_enqueue, struct task_struct *p, u64 enq_flags)
{
	count(CNT_enqueued);
	scxlab_dsq_insert(p, SCX_DSQ_GLOBAL, slice_ns, enq_flags);
}

SEC("struct_ops/fifo_enable")
void BPF_PROG(fifo_enable, struct task_struct *p)
{
	count(CNT_tasks_enabled);
}

SEC("struct_ops/fifo_exit")
void BPF_PROG(fifo_exit, struct scx_exit_info *ei)
{
	scxlab_report_exit(ei);
}

SEC(".struct_ops.link")
struct sched_ext_ops fifo_ops = {
	.enqueue = (void *)fifo_enqueue,
	.enable = (void *)fifo_enable,
	.exit = (void *)fifo_exit,
	.name = "scxlab_fifo",
};
