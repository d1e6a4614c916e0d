/* Log-linear histogram buckets, shared by the BPF probes (bpf/) and user space (stats/), so a
 * histogram filled in the kernel and one filled by a workload mean the same thing.
 *
 * Values below 2^(SUB_BITS+1) get one bucket each (exact). Above that, every power of two
 * [2^e, 2^(e+1)) is split into 2^SUB_BITS equal sub-buckets, so a bucket is at most 1/32 of
 * its value wide (a midpoint is within 1.6%). Values >= 2^MAX_EXP (73 min in ns) share the
 * last bucket. Plain C with no builtins so the BPF verifier and clang's BPF target take it. */
#ifndef SCXLAB_LOGLINEAR_H
#define SCXLAB_LOGLINEAR_H

#define SCXLAB_HIST_SUB_BITS 5
#define SCXLAB_HIST_SUB (1U << SCXLAB_HIST_SUB_BITS)
#define SCXLAB_HIST_MAX_EXP 42
#define SCXLAB_HIST_BUCKETS ((SCXLAB_HIST_MAX_EXP - SCXLAB_HIST_SUB_BITS + 1) * SCXLAB_HIST_SUB)

static inline unsigned int scxlab_log2_u64(unsigned long long v)
{
	unsigned int r = 0;

	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) { r += 1; }
	return r;
}

static inline unsigned int scxlab_hist_bucket(unsigned long long v)
{
	unsigned int e, sub;

	if (v < SCXLAB_HIST_SUB)
		return (unsigned int)v;
	e = scxlab_log2_u64(v);
	if (e >= SCXLAB_HIST_MAX_EXP)
		return SCXLAB_HIST_BUCKETS - 1;
	sub = (unsigned int)(v >> (e - SCXLAB_HIST_SUB_BITS)) & (SCXLAB_HIST_SUB - 1);
	return (e - SCXLAB_HIST_SUB_BITS + 1) * SCXLAB_HIST_SUB + sub;
}

/* Smallest value that falls into bucket i. */
static inline unsigned long long scxlab_hist_bucket_low(unsigned int i)
{
	unsigned int e;

	if (i < 2 * SCXLAB_HIST_SUB)
		return i;
	e = i / SCXLAB_HIST_SUB + SCXLAB_HIST_SUB_BITS - 1;
	return (unsigned long long)(SCXLAB_HIST_SUB + i % SCXLAB_HIST_SUB) << (e - SCXLAB_HIST_SUB_BITS);
}

/* Number of distinct values in bucket i. */
static inline unsigned long long scxlab_hist_bucket_width(unsigned int i)
{
	if (i < 2 * SCXLAB_HIST_SUB)
		return 1;
	return 1ULL << (i / SCXLAB_HIST_SUB - 1);
}

#endif /* SCXLAB_LOGLINEAR_H */
