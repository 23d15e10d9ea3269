// SPDX-License-Identifier: MIT
/*
 * The option parsers of user-given specs: byte 0 picks --ports (port
 * rules) or --sla; the rest is the spec.
 */
#include "fuzz.h"
#include "core/ports.h"
#include "analysis/sla.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned which = fuzz_take(&data, &size, 1);
	char *spec = fuzz_strdup(data, size), err[256], buf[64];

	if (!spec)
		return 0;
	if (which & 1) {
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
