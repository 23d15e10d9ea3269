// SPDX-License-Identifier: MIT
/* The shared names: see names.h. */
#include <string.h>
#include <linux/types.h>

#include "bpf/peerscope.h"
#include "core/names.h"

#define SAME(a, b) ((int)(a) == (int)(b))
_Static_assert(SAME(REASON_OTHER, PS_REASON_OTHER) && SAME(REASON_LOCK, PS_REASON_LOCK) &&
	       SAME(REASON_NET, PS_REASON_NET) && SAME(REASON_TIMER, PS_REASON_TIMER) &&
	       SAME(REASON_IO, PS_REASON_IO) && SAME(REASON_FAULT, PS_REASON_FAULT) &&
	       SAME(REASON_RUNQ, PS_REASON_RUNQ) && SAME(REASON_NR, PS_REASON_MAX),
	       "enum reason and enum ps_reason disagree");
_Static_assert(SAME(PATH_OTHER, PS_PATH_OTHER) && SAME(PATH_DHT, PS_PATH_DHT) &&
	       SAME(PATH_GOSSIP, PS_PATH_GOSSIP) && SAME(PATH_BOOTSTRAP, PS_PATH_BOOTSTRAP),
	       "enum path_builtin and enum ps_path disagree");

const char *const reason_names[REASON_NR] = {
	[REASON_OTHER] = "other", [REASON_LOCK] = "lock", [REASON_NET] = "net",
	[REASON_TIMER] = "timer", [REASON_IO] = "io", [REASON_FAULT] = "fault",
	[REASON_RUNQ] = "runq",
};

const char *reason__name(unsigned int r)
{
	return r < REASON_NR ? reason_names[r] : reason_names[REASON_OTHER];
}

static int find(const char *const *names, int n, const char *name)
{
	for (int i = 0; name && i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

int reason__parse(const char *name)
{
	return find(reason_names, REASON_NR, name);
}

const char *const path_builtin_names[PATH_NR_BUILTIN] = {
	[PATH_OTHER] = PATH_OTHER_NAME, [PATH_DHT] = "dht", [PATH_GOSSIP] = "gossip",
	[PATH_BOOTSTRAP] = "bootstrap",
};

int path_builtin__id(const char *name)
{
	return find(path_builtin_names, PATH_NR_BUILTIN, name);
}

const char *const wall_part_names[WALL_NR] = {
	[WALL_CPU] = "cpu", [WALL_RUNQ] = "runq",
	[WALL_OFF + REASON_OTHER] = "other", [WALL_OFF + REASON_LOCK] = "lock",
	[WALL_OFF + REASON_NET] = "net", [WALL_OFF + REASON_TIMER] = "timer",
	[WALL_OFF + REASON_IO] = "io", [WALL_OFF + REASON_FAULT] = "fault",
	[WALL_IDLE] = "idle",
};

const char *const wall_part_titles[WALL_NR] = {
	[WALL_CPU] = "on-CPU", [WALL_RUNQ] = "run queue",
	[WALL_OFF + REASON_OTHER] = "off-CPU other", [WALL_OFF + REASON_LOCK] = "lock wait",
	[WALL_OFF + REASON_NET] = "network wait", [WALL_OFF + REASON_TIMER] = "timer/sleep",
	[WALL_OFF + REASON_IO] = "I/O wait", [WALL_OFF + REASON_FAULT] = "page faults",
	[WALL_IDLE] = "idle",
};
