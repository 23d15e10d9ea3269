/* SPDX-License-Identifier: MIT */
/*
 * Attribution of samples to paths.  A loaded recording is labelled once
 * (paths__label_profile() in paths.h, through the core profile__relabel()):
 * every sample gets its `path` and, with it, a `path_by` label saying which
 * evidence gave it (docs/format.md).  The analyses then read those labels
 * (paths__labelled_path); only a profile nobody labelled (the agent labels
 * its windows too) is attributed sample by sample, with the same function
 * (paths__attribute), so the answer is the same either way.
 */
#ifndef PEERSCOPE_ANALYSIS_ATTRIBUTE_H
#define PEERSCOPE_ANALYSIS_ATTRIBUTE_H

#include <stdbool.h>
#include <stdint.h>

struct profile;
struct path_rules;
struct frames;

/*
 * How a sample got its path, the `path_by` label: its span's own `path`
 * label, a symbol rule over its stack, a symbol rule that matched only the
 * thread's entry function, the thread's name, the socket the thread was
 * serving (by the port rules; or, for a sample no other evidence placed,
 * the path of its socket's traffic -- the traffic sample's own socket,
 * else the one its thread was serving: socket-paths.h), a port rule;
 * BY_NONE for a sample no evidence places ("other").
 */
enum path_how {
	BY_NONE, BY_LABEL, BY_SYMBOL, BY_ENTRY, BY_THREAD, BY_SOCKET, BY_PORT, BY_NR,
};

/* The `path_by` value of how: "none", "span", "symbol", "entry", "thread", "socket", "port". */
const char *paths__how_name(enum path_how how);
/* The enum path_how of a `path_by` value, or -1. */
int paths__how_parse(const char *s);

/* paths__labelled_path() of a sample that carries no attribution. */
#define PATHS_UNLABELLED (-1)

/*
 * The path id of sample i and how it got it, as labelling wrote them (its
 * `path` and `path_by` labels), or PATHS_UNLABELLED when the sample has no
 * `path_by` label, or one these rules cannot read (a path they do not
 * have): then paths__attribute() says.
 */
int paths__labelled_path(const struct profile *p, const struct path_rules *r, uint32_t i,
			 enum path_how *how);

/*
 * The attribution labelling writes: the sample's own `path` label (a
 * span's), else sym, the path of its stack by the symbol rules (-1 none;
 * entry: the match is the thread's entry function alone), else the
 * thread's name, else the socket the thread was serving ("sockpath",
 * docs/peers.md), else the port rules, else PATH_OTHER.
 */
int paths__attribute(const struct profile *p, const struct path_rules *r, uint32_t i, int sym,
		     bool entry, enum path_how *how);

/*
 * The path of sample i: its labels, else (a profile not labelled)
 * paths__attribute() over its stack, read into f (scratch; NULL: one is
 * allocated).  Returns the path id or -ENOMEM.
 */
int paths__path_of(const struct profile *p, const struct path_rules *r, uint32_t i,
		   enum path_how *how, struct frames *f);

/*
 * Does the stack's path code consist of the thread's entry function alone
 * (gossip_mesh_main < start_thread)?  A sleep or poll there is the thread's
 * loop waiting for its next tick -- what a stack attributed only by the
 * thread's name shows when a leaf without a frame pointer hides its
 * caller, and what DWARF unwinding shows in full.
 */
bool paths__in_thread_entry(const struct path_rules *r, const struct frames *f);

/*
 * Is an off-CPU wait a thread waiting for work (idle), or waiting for
 * something its path needs?  The one answer the Paths section, the
 * per-thread timeline and the wall-time flame graph share.  stack_idle:
 * frames__is_idle() of its stack; how: what placed the sample on its path
 * (`path_by`; BY_SYMBOL when unknown, which adds nothing to the stack's
 * answer); *reason: its enum reason (core/names.h), blocked reasons only.
 *  - Inside a span (BY_LABEL) a wait for work is the operation waiting for
 *    the events it needs (replies, timeouts): not idle, and *reason
 *    becomes REASON_NET.
 *  - A sleep or poll whose stack shows none of the path's code (only the
 *    thread's name, or only its entry function, placed it) is the thread's
 *    loop waiting for its next tick: idle.
 *  - So is a sleep that no evidence places at all (a stripped program's
 *    timer thread).
 */
bool paths__wait_is_idle(bool stack_idle, enum path_how how, int *reason);

/* The `path_by` of labelset ls as paths__wait_is_idle() takes it: BY_SYMBOL when absent or unknown. */
enum path_how paths__how_of(const struct profile *p, uint32_t ls);

#endif /* PEERSCOPE_ANALYSIS_ATTRIBUTE_H */
