// SPDX-License-Identifier: MIT
/* The path of a socket, from its traffic the rules place (socket-paths.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/hashmap.h"
#include "core/profile.h"
#include "analysis/attribute.h"
#include "analysis/socket-paths.h"

/* A socket as the hash map keys it; padding zeroed, so the bytes are the key. */
struct socket_key {
	uint32_t pid;
	uint16_t lport;
	uint8_t proto;			/* 1 tcp, 2 udp */
	uint8_t pad;
};

struct socket_path {
	const char *path;		/* the winner, once every sample is in */
	uint32_t votes;			/* 1 + index of its first vote, 0 none */
};

struct socket_vote {
	const char *path;
	int64_t bytes;
	uint32_t next;			/* 1 + index of the socket's next vote, 0 none */
};

static bool make_key(uint64_t pid, const char *proto, uint64_t lport, struct socket_key *k)
{
	memset(k, 0, sizeof(*k));
	k->proto = !proto ? 0 : !strcmp(proto, "tcp") ? 1 : !strcmp(proto, "udp") ? 2 : 0;
	/* port 0 is one the collector did not know: many sockets, not one */
	if (!k->proto || !lport || lport > UINT16_MAX || pid > UINT32_MAX)
		return false;
	k->pid = (uint32_t)pid;
	k->lport = (uint16_t)lport;
	return true;
}

/* The key of the socket labels proto_key and port_key of ls name; false: none. */
static bool key_by(const struct profile *p, uint32_t ls, const char *proto_key,
		   const char *port_key, struct socket_key *k)
{
	int64_t pid, lport;

	if (!profile__label_num(p, ls, "pid", &pid) || !profile__label_num(p, ls, port_key, &lport) ||
	    pid < 0 || lport < 0)
		return false;
	return make_key((uint64_t)pid, profile__label_str(p, ls, proto_key), (uint64_t)lport, k);
}

/* The key of the socket a traffic sample's labels name; false: not a socket's. */
static bool key_of(const struct profile *p, uint32_t ls, struct socket_key *k)
{
	return key_by(p, ls, "proto", "lport", k);
}

/* Evidence of the socket's own: not "thread", not "socket" (that is this very inference). */
static bool places_socket(int how)
{
	return how == BY_LABEL || how == BY_SYMBOL || how == BY_ENTRY || how == BY_PORT;
}

/* Adds bytes of path to socket s: each path the socket's traffic has is one vote in its chain. */
static int vote(struct socket_paths *sp, uint32_t s, const char *path, int64_t bytes)
{
	uint32_t last = 0;

	for (uint32_t at = sp->sock[s].votes; at; at = sp->vote[at - 1].next) {
		if (!strcmp(sp->vote[at - 1].path, path)) {
			sp->vote[at - 1].bytes += bytes;
			return 0;
		}
		last = at;
	}
	if (ARRAY_ROOM(sp->vote, sp->nr_vote, sp->cap_vote, 16))
		return -ENOMEM;
	sp->vote[sp->nr_vote++] = (struct socket_vote){ .path = path, .bytes = bytes };
	if (last)
		sp->vote[last - 1].next = sp->nr_vote;
	else
		sp->sock[s].votes = sp->nr_vote;
	return 0;
}

static int add_sample(struct socket_paths *sp, const struct profile *p, uint32_t i, int64_t bytes)
{
	uint32_t ls = p->samples[i].labelset, id;
	const char *path = profile__label_str(p, ls, "path");
	struct socket_key k;
	int ret;

	if (!path || !places_socket(paths__how_parse(profile__label_str(p, ls, "path_by"))) ||
	    !key_of(p, ls, &k))
		return 0;
	if (ARRAY_ROOM(sp->sock, sp->nr_sock, sp->cap_sock, 16))
		return -ENOMEM;
	ret = hashmap__find_or_insert(sp->ids, &k, sizeof(k), sp->nr_sock + 1, &id);
	if (ret < 0)
		return ret;
	if (ret)
		sp->sock[sp->nr_sock++] = (struct socket_path){ 0 };
	return vote(sp, id - 1, path, bytes);
}

/*
 * Each socket's path: the one with most bytes; a tie goes to the name
 * first in byte order, so the answer does not depend on the samples' order.
 */
static void elect(struct socket_paths *sp)
{
	for (uint32_t s = 0; s < sp->nr_sock; s++) {
		const struct socket_vote *best = NULL;

		for (uint32_t at = sp->sock[s].votes; at; at = sp->vote[at - 1].next) {
			const struct socket_vote *v = &sp->vote[at - 1];

			if (!best || v->bytes > best->bytes ||
			    (v->bytes == best->bytes && strcmp(v->path, best->path) < 0))
				best = v;
		}
		sp->sock[s].path = best ? best->path : NULL;
	}
}

static int64_t column(const struct profile *p, uint32_t i, int col)
{
	return col >= 0 ? profile__value(p, i, col) : 0;
}

int socket_paths__init(struct socket_paths *sp, const struct profile *p)
{
	int tx = profile__type_index(p, "tx/bytes"), rx = profile__type_index(p, "rx/bytes");
	int err = 0;

	memset(sp, 0, sizeof(*sp));
	if (tx < 0 && rx < 0)
		return 0;		/* no socket traffic recorded */
	sp->ids = hashmap__new(NULL, NULL);
	if (!sp->ids)
		return -ENOMEM;
	for (uint32_t i = 0; !err && i < p->nr_samples; i++)
		err = add_sample(sp, p, i, column(p, i, tx) + column(p, i, rx));
	if (err) {
		socket_paths__free(sp);
		return err;
	}
	elect(sp);
	return 0;
}

void socket_paths__free(struct socket_paths *sp)
{
	hashmap__free(sp->ids);
	free(sp->sock);
	free(sp->vote);
	memset(sp, 0, sizeof(*sp));
}

static const char *find_key(const struct socket_paths *sp, const struct socket_key *k)
{
	uint32_t id = sp->ids ? hashmap__find(sp->ids, k, sizeof(*k)) : 0;

	return id ? sp->sock[id - 1].path : NULL;
}

const char *socket_paths__find(const struct socket_paths *sp, uint64_t pid, const char *proto,
			       uint64_t lport)
{
	struct socket_key k;

	return make_key(pid, proto, lport, &k) ? find_key(sp, &k) : NULL;
}

const char *socket_paths__of(const struct socket_paths *sp, const struct profile *p, uint32_t ls)
{
	struct socket_key k;

	return key_of(p, ls, &k) ? find_key(sp, &k) : NULL;
}

const char *socket_paths__served(const struct socket_paths *sp, const struct profile *p,
				 uint32_t ls)
{
	struct socket_key k;

	return key_by(p, ls, "sockproto", "sockport", &k) ? find_key(sp, &k) : NULL;
}
