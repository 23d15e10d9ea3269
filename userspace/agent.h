/* SPDX-License-Identifier: MIT */
/*
 * peerscope agent's pieces besides its loop (cmd-agent.c): the window
 * store in DIR (agent-store.c) and the /metrics endpoint (agent-http.c).
 */
#ifndef PEERSCOPE_AGENT_H
#define PEERSCOPE_AGENT_H

#include <stddef.h>
#include <stdint.h>

struct profile;

/*
 * Writes p as DIR/NAME atomically (temporary file, fsync, rename, fsync of
 * the directory); NAME is made from start_ns (UTC, sorts by time) and
 * returned in name.  0 or a negative errno.
 */
int agent_store__write_window(const char *dir, const struct profile *p, int64_t start_ns,
			      char *name, size_t len);
/* Appends one line (with its newline) to DIR/index.jsonl, fsynced. */
int agent_store__append_index(const char *dir, const char *line, size_t len);
/*
 * Deletes the oldest window files of DIR while there are more than keep
 * (0: no limit) or they hold more than max_bytes (0: no limit); the newest
 * stays.  Returns how many were deleted or a negative errno.
 */
int agent_store__retain(const char *dir, unsigned keep, uint64_t max_bytes);

struct agent_http;
/*
 * Serves GET /metrics on addr ("ADDR:PORT" or "PORT"; loopback when no
 * address) from the last snapshot.  NULL with a reason in why.
 */
struct agent_http *agent_http__start(const char *addr, char *why, size_t len);
/* Replaces the snapshot (both texts are copied). */
void agent_http__publish(struct agent_http *h, const char *prom, size_t prom_len,
			 const char *om, size_t om_len);
void agent_http__stop(struct agent_http *h);

#endif /* PEERSCOPE_AGENT_H */
