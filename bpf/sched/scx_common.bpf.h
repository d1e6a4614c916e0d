/* SPDX-License-Identifier: GPL-2.0 */
/* What scxlab's sched_ext schedulers share on the BPF side: the sched_ext kfuncs they call,
 * each declared here (vmlinux.h's own declarations are switched off) with a fallback for
 * kernels where it was renamed or changed, the counters, and the exit report.
 *
 * Compat scheme: a kfunc is declared __weak under a "flavoured" name, NAME___suffix. libbpf
 * strips the last ___suffix and binds the declaration to the kernel's NAME if the prototypes
 * match, else leaves it NULL, which bpf_ksym_exists() tests at load time; the verifier then
 * drops the branches for the missing ones. Kernels name some new variants NAME___v2
 * themselves, hence the extra ___scxlab suffix there. Tested on the VM lab's kernel; older
 * paths are written from the kernel's history (6.12: scx_bpf_dispatch*, scx_bpf_consume;
 * 6.13: dsq_insert/dsq_move names; 6.19: bool returns, vtime arguments in a struct,
 * scx_bpf_task_set_*; 7.1: scx_bpf_dsq_move_to_local with enq_flags). */
#ifndef SCXLAB_SCX_COMMON_BPF_H
#define SCXLAB_SCX_COMMON_BPF_H

#define BPF_NO_KFUNC_PROTOTYPES
/* Debian's vmlinux.h declares a few zero-size members as bare struct names. */
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wmissing-declarations"
#include "vmlinux.h"
#pragma clang diagnostic pop
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "sched_common.h"

char _license[] SEC("license") = "GPL";

/* ---- kfuncs that kept their name and prototype since sched_ext's first release (6.12) */
s32 scx_bpf_create_dsq(u64 dsq_id, s32 node) __ksym;
s32 scx_bpf_select_cpu_dfl(struct task_struct *p, s32 prev_cpu, u64 wake_flags, bool *is_idle) __ksym;
void scx_bpf_kick_cpu(s32 cpu, u64 flags) __ksym;
s32 scx_bpf_task_cpu(const struct task_struct *p) __ksym;
void scx_bpf_error_bstr(char *fmt, unsigned long long *data, u32 data__sz) __ksym;

/* ---- insert a task into a DSQ's FIFO */
bool scx_bpf_dsq_insert___v2___scxlab(struct task_struct *p, u64 dsq_id, u64 slice, u64 enq_flags) __ksym __weak;
void scx_bpf_dsq_insert___v1(struct task_struct *p, u64 dsq_id, u64 slice, u64 enq_flags) __ksym __weak;
void scx_bpf_dispatch___v0(struct task_struct *p, u64 dsq_id, u64 slice, u64 enq_flags) __ksym __weak;

static __always_inline void scxlab_dsq_insert(struct task_struct *p, u64 dsq_id, u64 slice, u64 enq_flags)
{
	if (bpf_ksym_exists(scx_bpf_dsq_insert___v2___scxlab))
		scx_bpf_dsq_insert___v2___scxlab(p, dsq_id, slice, enq_flags);
	else if (bpf_ksym_exists(scx_bpf_dsq_insert___v1))
		scx_bpf_dsq_insert___v1(p, dsq_id, slice, enq_flags);
	else
		scx_bpf_dispatch___v0(p, dsq_id, slice, enq_flags);
}

/* ---- insert a task into a DSQ's vtime-ordered queue (6.19+ pass the scalars in a struct) */
struct scx_bpf_dsq_insert_vtime_args___scxlab {
	u64 dsq_id;
	u64 slice;
	u64 vtime;
	u64 enq_flags;
};
bool __scx_bpf_dsq_insert_vtime___scxlab(struct task_struct *p,
					 struct scx_bpf_dsq_insert_vtime_args___scxlab *args) __ksym __weak;
void scx_bpf_dsq_insert_vtime___v1(struct task_struct *p, u64 dsq_id, u64 slice, u64 vtime, u64 enq_flags) __ksym __weak;
void scx_bpf_dispatch_vtime___v0(struct task_struct *p, u64 dsq_id, u64 slice, u64 vtime, u64 enq_flags) __ksym __weak;

static __always_inline void scxlab_dsq_insert_vtime(struct task_struct *p, u64 dsq_id, u64 slice, u64 vtime,
						    u64 enq_flags)
{
	if (bpf_ksym_exists(__scx_bpf_dsq_insert_vtime___scxlab)) {
		struct scx_bpf_dsq_insert_vtime_args___scxlab args = {
			.dsq_id = dsq_id, .slice = slice, .vtime = vtime, .enq_flags = enq_flags,
		};
		__scx_bpf_dsq_insert_vtime___scxlab(p, &args);
	} else if (bpf_ksym_exists(scx_bpf_dsq_insert_vtime___v1)) {
		scx_bpf_dsq_insert_vtime___v1(p, dsq_id, slice, vtime, enq_flags);
	} else {
		scx_bpf_dispatch_vtime___v0(p, dsq_id, slice, vtime, enq_flags);
	}
}

/* ---- move the first task of a user DSQ to the dispatching CPU's local DSQ */
bool scx_bpf_dsq_move_to_local___v2___scxlab(u64 dsq_id, u64 enq_flags) __ksym __weak;
bool scx_bpf_dsq_move_to_local___v1(u64 dsq_id) __ksym __weak;
bool scx_bpf_consume___v0(u64 dsq_id) __ksym __weak;

static __always_inline bool scxlab_dsq_move_to_local(u64 dsq_id)
{
	if (bpf_ksym_exists(scx_bpf_dsq_move_to_local___v2___scxlab))
		return scx_bpf_dsq_move_to_local___v2___scxlab(dsq_id, 0);
	if (bpf_ksym_exists(scx_bpf_dsq_move_to_local___v1))
		return scx_bpf_dsq_move_to_local___v1(dsq_id);
	return scx_bpf_consume___v0(dsq_id);
}

/* ---- a task's vtime: a kfunc since 6.19, a plain store before (now deprecated) */
bool scx_bpf_task_set_dsq_vtime___new(struct task_struct *p, u64 vtime) __ksym __weak;

static __always_inline void scxlab_task_set_dsq_vtime(struct task_struct *p, u64 vtime)
{
	if (bpf_ksym_exists(scx_bpf_task_set_dsq_vtime___new))
		scx_bpf_task_set_dsq_vtime___new(p, vtime);
	else
		p->scx.dsq_vtime = vtime;
}

/* ---- the task running on a CPU: scx_bpf_cpu_curr since 6.18, through the rq before; read
 * it under bpf_rcu_read_lock() */
void bpf_rcu_read_lock(void) __ksym;
void bpf_rcu_read_unlock(void) __ksym;
struct task_struct *scx_bpf_cpu_curr___new(s32 cpu) __ksym __weak;
struct rq *scx_bpf_cpu_rq___old(s32 cpu) __ksym __weak;

static __always_inline struct task_struct *scxlab_cpu_curr(s32 cpu)
{
	struct rq *rq;

	if (bpf_ksym_exists(scx_bpf_cpu_curr___new))
		return scx_bpf_cpu_curr___new(cpu);
	rq = scx_bpf_cpu_rq___old(cpu);
	return rq ? rq->curr : NULL;
}

/* ---- scx_bpf_error() with one u64 argument: ejects the scheduler with SCX_EXIT_ERROR_BPF */
#define scxlab_error_u64(fmt, arg)                                               \
	({                                                                       \
		static char ___fmt[] = fmt;                                      \
		unsigned long long ___data[1] = {(arg)};                         \
		scx_bpf_error_bstr(___fmt, ___data, sizeof(___data));            \
	})

/* ---- counters: a per-CPU array indexed by the scheduler's CNT_* enum */
#define SCXLAB_DEFINE_COUNTERS(nr)                                               \
	struct {                                                                 \
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);                         \
		__uint(max_entries, nr);                                         \
		__type(key, u32);                                                \
		__type(value, u64);                                              \
	} counters SEC(".maps");                                                 \
	static __always_inline void count(u32 idx)                               \
	{                                                                        \
		u64 *v = bpf_map_lookup_elem(&counters, &idx);                   \
		if (v)                                                           \
			(*v)++;                                                  \
	}

/* ---- exit report: ops.exit() copies scx_exit_info to user space, which waits on it */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * 4096);
} exits SEC(".maps");

static __always_inline void scxlab_report_exit(struct scx_exit_info *ei)
{
	struct scxlab_exit_report *r = bpf_ringbuf_reserve(&exits, sizeof(*r), 0);

	if (!r)
		return;
	r->kind = ei->kind;
	r->pad = 0;
	r->exit_code = ei->exit_code;
	bpf_probe_read_kernel_str(r->reason, sizeof(r->reason), ei->reason);
	bpf_probe_read_kernel_str(r->msg, sizeof(r->msg), ei->msg);
	bpf_ringbuf_submit(r, 0);
}

#endif /* SCXLAB_SCX_COMMON_BPF_H */
