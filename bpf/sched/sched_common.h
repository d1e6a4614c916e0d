/* Shared by scxlab's sched_ext schedulers (BPF side) and their loader (user space): the exit
 * report and the counters each scheduler keeps. */
#ifndef SCXLAB_SCHED_COMMON_H
#define SCXLAB_SCHED_COMMON_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define SCXLAB_EXIT_REASON_LEN 128
#define SCXLAB_EXIT_MSG_LEN 1024

/* What ops.exit() saw (struct scx_exit_info), sent to user space over the `exits` ring
 * buffer: the kernel ejected the scheduler, or user space unregistered it. */
struct scxlab_exit_report {
	__s32 kind;      /* enum scx_exit_kind: >= 1024 (SCX_EXIT_ERROR) is an error */
	__s32 pad;
	__s64 exit_code; /* scx_bpf_exit()'s code, else 0 */
	char reason[SCXLAB_EXIT_REASON_LEN];
	char msg[SCXLAB_EXIT_MSG_LEN];
};

#define SCXLAB_EXIT_KIND_ERROR 1024

/* Counters, one X-macro list per scheduler so the BPF enum and the names user space prints
 * cannot drift apart. Kept in the per-CPU array map `counters`. */
#define SCXLAB_FIFO_COUNTERS(X) \
	X(tasks_enabled)        /* tasks that joined the scheduler */ \
	X(enqueued)             /* ops.enqueue into the global FIFO */

#define SCXLAB_VTIME_COUNTERS(X) \
	X(tasks_enabled) \
	X(direct_idle)          /* woken onto an idle CPU's local queue (--local-idle) */ \
	X(queued)               /* inserted into the shared vtime queue */ \
	X(lag_clamped)          /* waking task's vtime raised to now - lag */ \
	X(dispatched)           /* moved from the vtime queue to a CPU */ \
	X(preempt_kicks)        /* wakeup preemptions (--wakeup-preempt) */

#define SCXLAB_FAULTY_COUNTERS(X) \
	X(tasks_enabled) \
	X(enqueued) \
	X(dropped)              /* tasks never dispatched (--stall-after) */

#define SCXLAB_COUNTER_ENUM(name) CNT_##name,

#endif /* SCXLAB_SCHED_COMMON_H */
