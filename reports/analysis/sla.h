/* SPDX-License-Identifier: MIT */
/*
 * Service levels: --sla dht.p95=500ms,bootstrap.p99=2s parsed, and checked
 * against the span latency of the path decomposition (docs/guide.md).
 */
#ifndef PEERSCOPE_ANALYSIS_SLA_H
#define PEERSCOPE_ANALYSIS_SLA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct path_report;

enum sla_metric { SLA_P50, SLA_P90, SLA_P95, SLA_P99, SLA_MAX, SLA_MEAN, SLA_ERRORS };

struct sla {
	char path[32];
	enum sla_metric metric;
	uint64_t limit;		/* ns, or percent * 100 for errors */
	char text[64];		/* as given, for messages */
};

struct sla_result {
	bool known;		/* the path has span latency */
	bool pass;
	uint64_t value;
};

/* Parses spec; returns the count or -EINVAL with a reason in err. */
int sla__parse(const char *spec, struct sla **out, char *err, size_t errlen);
/* Fills res[i] for each sla; returns the number that failed (unknown = failed). */
int sla__check(const struct path_report *rep, const struct sla *s, int n,
	       struct sla_result *res);
const char *sla__metric_name(enum sla_metric m);

struct profile;
/*
 * The SLAs to check on p: the specs given (--sla), then those the recording
 * carries ("sla" records).  Returns how many (in *out, to free), or a
 * negative errno: -EINVAL with *bad the spec at fault and the reason in err.
 */
int sla__gather(const struct profile *p, const char *const *given, int nr_given,
		struct sla **out, const char **bad, char *err, size_t errlen);

#endif /* PEERSCOPE_ANALYSIS_SLA_H */
