// SPDX-License-Identifier: MIT
/*
 * The option parsers of user-given specs: byte 0 picks --ports (port
 * rules), --sla (bit 0) or the agent's --trigger (bit 1, judged against
 * a small window too); the rest is the spec.
 */
#include "fuzz.h"
#include "core/ports.h"
#include "analysis/paths.h"
#include "analysis/sla.h"
#include "analysis/trigger.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned which = fuzz_take(&data, &size, 1);
	char *spec = fuzz_strdup(data, size), err[256], buf[64];

	if (!spec)
		return 0;
	if (which & 2) {
		struct path_stats ps[2] = {
			{ .name = "dht", .has_lat = true, .cpu_user_ns = 1000,
			  .lat = { .count = 10, .errors = 1, .p50_ns = 1000, .p95_ns = 90000000 } },
			{ .name = "gossip", .cpu_kernel_ns = 3000 },
		};
		struct path_report rep = { .paths = ps, .nr_paths = 2 };
		struct verdict v[2] = { { .kind = V_CPU }, { .kind = V_LOCK } };
		struct trigger_state prev = { .known = true };
		struct trigger t;
		struct trigger_fire f;

		if (!trigger__parse(spec, &t, err, sizeof(err)))
			trigger__eval(&t, &rep, v, &prev, &f);
	} else if (which & 1) {
		struct sla *s = NULL;

		if (sla__parse(spec, &s, err, sizeof(err)) >= 0)
			free(s);
	} else {
		struct port_rules r;

		port_rules__init(&r);
		if (!port_rules__parse(&r, spec, err, sizeof(err)))
			for (int i = 0; i < r.nr; i++)
				port_rule__format(&r.rules[i], buf, sizeof(buf));
		port_rules__match(&r, 17, 4000, 4001);
		port_rules__free(&r);
	}
	free(spec);
	return 0;
}
