/* SPDX-License-Identifier: MIT */
/*
 * The section of `peerscope report --peers` (key "peers"): per path, the
 * peers the node served and what each cost (analysis/peers.h), with a
 * verdict line when one peer stands out.  docs/peers.md has the schema.
 */
#ifndef PEERSCOPE_PEERS_REPORT_H
#define PEERSCOPE_PEERS_REPORT_H

#include "reports/report.h"

struct profile;

/* Prints only with o->peers and when the recording has serving-peer labels. */
int report_peers__emit(const struct profile *p, const struct report_opts *o, struct report_out *out);

#endif /* PEERSCOPE_PEERS_REPORT_H */
