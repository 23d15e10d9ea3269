// SPDX-License-Identifier: GPL-2.0
/*
 * netem.c - network emulation done by the node itself (--latency, --loss),
 * because this kernel has no sch_netem.  Latency applies to DHT datagrams and
 * gossip frames (sent later from the loop's timers); loss applies to DHT
 * datagrams only, since TCP would retransmit anyway.
 */
#include "node.h"

bool netem_drop(void)
{
	return node.cfg.loss_pct > 0 && rng_unit() * 100.0 < node.cfg.loss_pct;
}

uint64_t netem_delay_ns(void)
{
	int64_t ms = node.cfg.latency_ms, j = node.cfg.jitter_ms;
	int64_t ns = ms * 1000000;

	if (j)
		ns += (int64_t)((rng_unit() * 2.0 - 1.0) * (double)j * 1e6);
	return ns > 0 ? (uint64_t)ns : 0;
}
