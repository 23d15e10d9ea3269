/* SPDX-License-Identifier: MIT */
/*
 * Attribution of samples to paths, shared by the path decomposition
 * (paths.c) and the relabelling of a loaded recording.  The public entry
 * points (paths__sample_path, paths__label_profile) are in paths.h.
 */
#ifndef PEERSCOPE_ANALYSIS_ATTRIBUTE_H
#define PEERSCOPE_ANALYSIS_ATTRIBUTE_H

#include <stdbool.h>
#include <stdint.h>

struct profile;
struct path_rules;
struct frames;

/* How a sample got its path. */
enum path_how { BY_NONE, BY_LABEL, BY_SYMBOL, BY_THREAD, BY_SOCKET, BY_PORT };

/*
 * The path of sample i, with its stack's path by the symbol rules already
 * known (sym; -1 none): the label, then sym, then the thread's name, then
 * the socket the thread was serving ("sockpath", docs/peers.md), then the
 * port rules.
 */
int paths__path_of(const struct profile *p, const struct path_rules *r, uint32_t i,
		   enum path_how *how, int sym);

/*
 * Does the stack's path code consist of the thread's entry function alone
 * (gossip_mesh_main < start_thread)?  A sleep or poll there is the thread's
 * loop waiting for its next tick -- what a stack attributed only by the
 * thread's name shows when a leaf without a frame pointer hides its
 * caller, and what DWARF unwinding shows in full.
 */
bool paths__in_thread_entry(const struct path_rules *r, const struct frames *f);

#endif /* PEERSCOPE_ANALYSIS_ATTRIBUTE_H */
