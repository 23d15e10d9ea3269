/* SPDX-License-Identifier: MIT */
/*
 * A recording session as `record` and `agent` share it: the collectors
 * opened and attached once, their stats, and the records that describe a
 * recording (meta, stats, overhead).  Implemented in cmd-record.c.
 */
#ifndef PEERSCOPE_RECORD_H
#define PEERSCOPE_RECORD_H

#include <stdarg.h>
#include <stdint.h>
#include <time.h>
#include <bpf/libbpf.h>

#include "collectors/collector.h"
#include "collectors/features.h"
#include "collectors/record-opts.h"
#include "collectors/shared-maps.h"
#include "core/target.h"

#define MAX_COLLECTORS	16
#define MAX_SLAS	16

struct profile;
struct symbolizer;

struct record {
	struct record_opts opts;
	struct target target;
	const char *output;
	const char *collectors;	/* -c, NULL = default set */
	const char *rules_file;
	const char *slas[MAX_SLAS];
	int nr_slas;
	char cmdline[512];
	char *port_rules;	/* --port values joined by commas */

	struct kernel_features kf;
	struct shared_maps sm;
	struct symbolizer *sym;
	int stats_fd;		/* bpf_enable_stats(); run time is counted while open */
	struct collector coll[MAX_COLLECTORS];
	int nr_coll;

	struct timespec t_start, t_attached, t_stop;
	int64_t start_wall_ns;
};

int record__libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap);
/* root, or CAP_BPF + CAP_PERFMON; says what is missing */
int record__check_privileges(void);
/* every -p pid exists; threads become their process */
int record__check_targets(struct record *r);
/* the supported collectors of r->collectors (NULL: the defaults), opened */
int record__open_collectors(struct record *r);
int record__attach_collectors(struct record *r);
void record__close_collectors(struct record *r);
void record__read_stats(struct record *r);
struct collector_stats record__total_stats(const struct record *r);
/* meta, sla, rules, stats and overhead records of a recording */
void record__add_records(struct record *r, struct profile *p);

#endif /* PEERSCOPE_RECORD_H */
