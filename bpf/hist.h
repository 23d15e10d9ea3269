/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Histogram buckets: the one codec shared by the BPF programs that count
 * into histograms and by userspace that writes them into a recording and
 * reads them back (core/records.c; docs/format.md).  Plain C, no helpers:
 * included by BPF code (after vmlinux.h) and by userspace (after
 * <linux/types.h>).
 *
 * Two bucketings:
 *
 * - log-linear (span latency): values below 2 * HIST_LL_SUB have one bucket
 *   each; above, each power of two [2^k, 2^(k+1)) is split into HIST_LL_SUB
 *   equal buckets, so a bucket is at most 1/16 (6.25 %) of its lower bound
 *   wide and its midpoint is within 3.2 % of any value in it.
 *   HIST_LL_BUCKETS buckets reach 2^43 ns (~2.4 h); larger values land in
 *   the last one.
 *
 * - log2 (run-queue delay in ns, syscall sizes in bytes): bucket 0 holds 0,
 *   bucket i > 0 holds [2^(i-1), 2^i).  The caller caps the index at its
 *   array size.
 *
 * In a recording a bucket is written as its lowest value, whatever the
 * bucketing, so the file does not depend on array sizes; hist_*_bucket()
 * of that value gives the index back.
 */
#ifndef PEERSCOPE_HIST_H
#define PEERSCOPE_HIST_H

#define HIST_LL_SUB_BITS	4
#define HIST_LL_SUB		(1 << HIST_LL_SUB_BITS)	/* buckets per power of two */
#define HIST_LL_BUCKETS		640

/* floor(log2(v)) for v > 0 (0 for 0), without loops: the verifier likes that. */
static __always_inline __u32 hist_log2(__u64 v)
{
	__u32 r = 0, s;

	s = (v > 0xFFFFFFFFULL) << 5; v >>= s; r |= s;
	s = (v > 0xFFFF) << 4; v >>= s; r |= s;
	s = (v > 0xFF) << 3; v >>= s; r |= s;
	s = (v > 0xF) << 2; v >>= s; r |= s;
	s = (v > 0x3) << 1; v >>= s; r |= s;
	r |= (v >> 1);
	return r;
}

/* ---- log-linear ---------------------------------------------------------- */

static __always_inline __u32 hist_ll_bucket(__u64 v)
{
	__u32 k, b;

	if (v < 2 * HIST_LL_SUB)
		return v;
	k = hist_log2(v);
	b = HIST_LL_SUB * (k - HIST_LL_SUB_BITS + 1) +
	    ((v >> (k - HIST_LL_SUB_BITS)) & (HIST_LL_SUB - 1));
	return b < HIST_LL_BUCKETS ? b : HIST_LL_BUCKETS - 1;
}

/* Lowest value of bucket b. */
static __always_inline __u64 hist_ll_low(__u32 b)
{
	__u32 k;

	if (b < 2 * HIST_LL_SUB)
		return b;
	k = b / HIST_LL_SUB + HIST_LL_SUB_BITS - 1;
	return (__u64)(HIST_LL_SUB + b % HIST_LL_SUB) << (k - HIST_LL_SUB_BITS);
}

/* Number of values bucket b holds. */
static __always_inline __u64 hist_ll_width(__u32 b)
{
	if (b < 2 * HIST_LL_SUB)
		return 1;
	return 1ULL << (b / HIST_LL_SUB - 1);
}

/* ---- log2 ---------------------------------------------------------------- */

/* 0 -> 0, 1 -> 1, 2..3 -> 2, 4..7 -> 3, ... (uncapped: at most 64) */
static __always_inline __u32 hist_log2_bucket(__u64 v)
{
	return v ? hist_log2(v) + 1 : 0;
}

static __always_inline __u64 hist_log2_low(__u32 b)
{
	return b ? 1ULL << (b - 1) : 0;
}

#endif /* PEERSCOPE_HIST_H */
