/* SPDX-License-Identifier: MIT */
/*
 * What `peerscope agent` exports: the index line of a window
 * (DIR/index.jsonl) and the Prometheus / OpenMetrics text of /metrics,
 * both rendered from the analysis structs of each window.  The metrics
 * state adds windows up, so counters only grow (docs/metrics.md).
 */
#ifndef PEERSCOPE_REPORTS_METRICS_H
#define PEERSCOPE_REPORTS_METRICS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis/ophist.h"
#include "analysis/paths.h"
#include "analysis/verdicts.h"

struct profile;
struct sla;
struct sla_result;

/* What the agent knows of one window besides its profile. */
struct agent_window {
	const char *file;		/* the window's file name in DIR */
	int64_t start_ns;		/* wall clock */
	double duration_s;
	double agent_cpu_s;		/* user + sys of the agent in this window */
	double bpf_run_s;		/* BPF program run time in this window */
	uint64_t lost, map_full, stack_errors;	/* in this window */
	uint64_t rss_bytes;
	int targets;			/* attached at the window's end */
	const struct sla *slas;
	const struct sla_result *sla_res;
	int nr_slas;
};

/* One JSON line (with its newline) for DIR/index.jsonl. */
void agent_index__line(FILE *f, const struct agent_window *w, const struct path_report *rep,
		       const struct verdict *verdicts);

#define METRICS_MAX_PATHS 32

enum sla_state { SLA_NONE = 0, SLA_PASS, SLA_FAIL, SLA_UNKNOWN };

/*
 * Label values of errno names and peers stay bounded: a path exports at
 * most METRICS_MAX_ERRORS - 1 errno names, the rest add up in "other".
 */
#define METRICS_MAX_ERRORS	8
#define METRICS_PEERS_MAX	256

struct metrics_count {
	char name[24];
	uint64_t n;
};

struct metrics_path {
	char name[32];
	double cpu_s, runq_s, off_s[PR_NR];
	struct ophist ops;
	int64_t tx_bytes, rx_bytes, tx_msgs, rx_msgs, alloc_bytes;
	uint64_t retransmits;		/* sock collector events on the path's connections */
	struct metrics_count connect_errors[METRICS_MAX_ERRORS];
	int nr_connect_errors;
	enum verdict_kind verdict;
	enum sla_state sla;
};

/* A peer's cost while a thread served it, and the traffic with it. */
struct metrics_peer {
	char name[64];			/* "ADDR:PORT", or "other" */
	double cpu_s, offcpu_s;
	int64_t tx_bytes, rx_bytes, tx_msgs, rx_msgs;
};

struct metrics_state {
	struct metrics_path paths[METRICS_MAX_PATHS];
	int nr_paths;
	/*
	 * --metrics-peers K (peers_k > 0): each window's K costliest peers
	 * get a series of their own (kept from then on, at most
	 * METRICS_PEERS_MAX), the others are added to "other" (peers[0]).
	 */
	int peers_k;
	struct metrics_peer *peers;
	int nr_peers;
	uint64_t windows;
	bool has_alloc, has_sla;
	double agent_cpu_s, bpf_run_s;
	uint64_t lost, map_full, stack_errors, rss_bytes;
	int targets;
};

/* Adds window w (its profile p, analysed as rep + verdicts) to m. */
void metrics__add_window(struct metrics_state *m, const struct profile *p,
			 const struct agent_window *w, const struct path_report *rep,
			 const struct verdict *verdicts);
void metrics__free(struct metrics_state *m);
/* The exposition text: Prometheus 0.0.4, or OpenMetrics 1.0 (with # EOF). */
void metrics__render(const struct metrics_state *m, FILE *f, bool openmetrics);

#endif /* PEERSCOPE_REPORTS_METRICS_H */
