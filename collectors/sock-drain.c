// SPDX-License-Identifier: MIT
/*
 * The sock collector's drains (sock-int.h): traffic per peer and stack into
 * samples, finished and live connections, size histograms, errors and
 * retransmit/connect events into records.  docs/net.md has the details.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "collectors/collector.h"
#include "collectors/peers.h"
#include "collectors/record-opts.h"
#include "collectors/sock-int.h"
#include "collectors/unwinder.h"
#include "core/array.h"
#include "core/log.h"
#include "core/ports.h"
#include "core/profile.h"
#include "core/records.h"
#include "core/rules.h"
#include "bpf/sock.h"
#include "sock.skel.h"

static const char *const call_names[SC_MAX] = {
	[SC_NONE] = "none",
	[SC_READ] = "read", [SC_READV] = "readv", [SC_RECVFROM] = "recvfrom",
	[SC_RECVMSG] = "recvmsg", [SC_RECVMMSG] = "recvmmsg",
	[SC_WRITE] = "write", [SC_WRITEV] = "writev", [SC_SENDTO] = "sendto",
	[SC_SENDMSG] = "sendmsg", [SC_SENDMMSG] = "sendmmsg",
	[SC_CONNECT] = "connect", [SC_ACCEPT] = "accept", [SC_ACCEPT4] = "accept4",
	[SC_CLOSE] = "close",
};

static const char *proto_str(uint8_t proto)
{
	return proto == SOCK_PROTO_TCP ? "tcp" : proto == SOCK_PROTO_UDP ? "udp" : "other";
}

/*
 * The span path if the thread was in one, else the port rules, else other;
 * *by says which ("span", "port", "none": a record's path_by).  A port of 0
 * is one not known or not kept.
 */
static const char *path_of(struct collector *c, uint32_t path, uint8_t proto, uint16_t lport,
			   uint16_t rport, const char **by)
{
	struct sock_priv *sp = c->priv;
	const struct port_rule *rule;
	int id = -1;

	*by = "span";
	if (path != PS_PATH_OTHER)
		return collector__path_name(c->opts, path);
	*by = "port";
	rule = port_rules__match(&sp->rules, proto, lport, rport);
	if (rule)
		return rule->name;
	/*
	 * The rules file's port rules, on either end as in the kernel's
	 * serving tag (peer_tag__port_rules): a node serving its DHT port
	 * gets queries from ephemeral ports, so only its own port says dht.
	 */
	if (lport)
		id = path_rules__match_port(c->opts->rules, proto_str(proto), lport);
	if (id < 0 && rport)
		id = path_rules__match_port(c->opts->rules, proto_str(proto), rport);
	if (id >= 0)
		return collector__path_name(c->opts, (uint32_t)id);
	*by = "none";
	return "other";
}

int sock__drain_traffic(struct collector *c, struct profile *p)
{
	struct sock_priv *sp = c->priv;
	int traffic_fd = bpf_map__fd(sp->skel->maps.traffic);
	int stacks_fd = bpf_map__fd(sp->skel->maps.stacks);
	struct sock_traffic_key key, *keys = NULL;
	struct peer_sum *peers = NULL;
	struct peer_names served = {};
	size_t nr_peers = 0, cap_peers = 0, nkeys = 0;
	uint64_t *uips;
	int types[4], err = 0;

	uips = calloc(PS_MAX_STACK_DEPTH, sizeof(*uips));
	if (!uips)
		return -ENOMEM;
	types[0] = profile__add_type(p, "tx", "bytes");
	types[1] = profile__add_type(p, "rx", "bytes");
	types[2] = profile__add_type(p, "tx", "messages");
	types[3] = profile__add_type(p, "rx", "messages");
	for (int i = 0; i < 4; i++) {
		if (types[i] < 0) {
			err = types[i];
			goto free_ips;
		}
	}

	if (peer_names__read(&served, bpf_map__fd(sp->skel->maps.ps_peer_slots))) {
		err = -ENOMEM;
		goto free_ips;
	}
	err = collector__map_keys(traffic_fd, (void **)&keys, &nkeys, NULL);
	if (err)
		goto free_ips;
	for (size_t ki = 0; ki < nkeys; ki++) {
		char comm[PS_TASK_COMM_LEN + 1], peer[64];
		struct sock_traffic_val val;
		struct pf_label_kv kv[8];
		const char *serving;
		const char *path, *by;
		uint32_t stack, labels;
		int64_t vals[4];
		int nu, idx;

		key = keys[ki];
		if (collector__take(traffic_fd, &key, &val))
			continue;
		nu = unwinder__owns_stack(key.user_stack_id)
			? unwinder__read_stack(sp->unw, key.user_stack_id, uips)
			: collector__read_stack(stacks_fd, key.user_stack_id, uips);
		stack = profile__intern_raw_stack(p, key.tgid, NULL, 0, uips, nu);

		memcpy(comm, key.comm, PS_TASK_COMM_LEN);
		comm[PS_TASK_COMM_LEN] = '\0';
		path = path_of(c, key.path, key.proto, key.lport, key.peer.port, &by);
		kv[0] = (struct pf_label_kv){ .key = "pid", .num = key.tgid };
		kv[1] = (struct pf_label_kv){ .key = "tid", .num = key.tid };
		kv[2] = (struct pf_label_kv){ .key = "thread", .str = comm };
		kv[3] = (struct pf_label_kv){ .key = "path", .str = path };
		kv[4] = (struct pf_label_kv){ .key = "peer",
					      .str = peer_addr__format(&key.peer, 1, peer, sizeof(peer)) };
		kv[5] = (struct pf_label_kv){ .key = "proto", .str = proto_str(key.proto) };
		/*
		 * The socket's own port: a report gives a datagram no rule
		 * places (libuv receives before any udx frame runs) the path
		 * the rules give the rest of that socket's traffic.
		 */
		kv[6] = (struct pf_label_kv){ .key = "lport", .num = key.lport };
		/* sends made while serving a peer: the peer they were made for */
		serving = peer_names__get(&served, key.serving);
		if (serving)
			kv[7] = (struct pf_label_kv){ .key = "serving", .str = serving };
		labels = profile__intern_labels(p, kv, serving ? 8 : 7);

		vals[0] = val.tx_bytes;
		vals[1] = val.rx_bytes;
		vals[2] = val.tx_msgs;
		vals[3] = val.rx_msgs;
		idx = profile__add_values(p, stack, labels, types, vals, 4);
		if (idx < 0) {
			err = idx;
			goto free_peers;
		}
		err = peer_sum_add(&peers, &nr_peers, &cap_peers, &key, path, by, &val);
		if (err)
			goto free_peers;
	}

	for (size_t i = 0; i < nr_peers; i++) {
		const struct peer_sum *s = &peers[i];
		char peer[64];
		struct rec_peer r = {
			.pid = s->pid, .proto = proto_str(s->proto),
			.peer = peer_addr__format(&s->peer, 1, peer, sizeof(peer)), .lport = s->lport,
			.path = s->path, .tx_bytes = s->v.tx_bytes, .rx_bytes = s->v.rx_bytes,
			.tx_msgs = s->v.tx_msgs, .rx_msgs = s->v.rx_msgs,
			.tx_calls = s->v.tx_calls, .rx_calls = s->v.rx_calls,
			.rport = s->peer.port, .path_by = s->by,
		};

		err = records__add_peer(p, &r);
		if (err < 0)
			goto free_peers;
		err = 0;
	}

free_peers:
	free(peers);
free_ips:
	peer_names__free(&served);
	free(keys);
	free(uips);
	return err;
}

static int add_conn_record(struct collector *c, struct profile *p, const struct sock_conn *k,
			   uint64_t now_ns)
{
	char peer[64], laddr[64];
	uint64_t end = k->close_ns ? k->close_ns : now_ns;
	uint64_t start = k->est_ns ? k->est_ns : k->first_ns;
	struct rec_conn r = {
		.proto = "tcp", .pid = k->tgid,
		.peer = peer_addr__format(&k->peer, 1, peer, sizeof(peer)),
		.laddr = peer_addr__format(&k->local, 0, laddr, sizeof(laddr)),
		.lport = k->local.port,
		.side = k->flags & SOCK_CONN_ACTIVE ? "connect" :
			k->flags & SOCK_CONN_PASSIVE ? "accept" : "unknown",
		.state = k->flags & SOCK_CONN_FAILED ? "failed" :
			 k->flags & SOCK_CONN_CLOSED ? "closed" : "open",
		.rport = k->peer.port,
		.tx_bytes = k->tx_bytes, .rx_bytes = k->rx_bytes,
		.tx_msgs = k->tx_msgs, .rx_msgs = k->rx_msgs,
		/* ESTABLISHED (else first sight) to TCP_CLOSE (else end of recording) */
		.lifetime_ns = end > start ? end - start : 0,
		.connect_ns = k->syn_ns && k->est_ns ? k->est_ns - k->syn_ns : 0,
		.accept_wait_ns = k->est_ns && k->accept_ns > k->est_ns ?
				  k->accept_ns - k->est_ns : 0,
		.retrans = k->retrans, .srtt_us = k->srtt_us, .errors = k->errors,
		.kernel_tx_bytes = k->kernel_tx, .kernel_rx_bytes = k->kernel_rx,
	};
	int err;

	r.path = path_of(c, k->path, SOCK_PROTO_TCP, k->local.port, k->peer.port, &r.path_by);
	err = records__add_conn(p, &r);
	return err < 0 ? err : 0;
}

int sock__drain_conns(struct collector *c, struct profile *p)
{
	struct sock_priv *sp = c->priv;
	int fd = bpf_map__fd(sp->skel->maps.conns);
	struct timespec now;
	__u64 key, next, *prev = NULL;
	struct sock_conn conn;
	int err;

	ring_buffer__consume(sp->rb);
	clock_gettime(CLOCK_MONOTONIC, &now);
	for (size_t i = 0; i < sp->nr_done; i++) {
		err = add_conn_record(c, p, &sp->done[i], 0);
		if (err)
			return err;
	}
	/* still open at the end of the recording */
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &conn))
			continue;
		err = add_conn_record(c, p, &conn, now.tv_sec * 1000000000ULL + now.tv_nsec);
		if (err)
			return err;
	}
	return 0;
}

int sock__drain_hist(struct collector *c, struct profile *p)
{
	struct sock_priv *sp = c->priv;
	int fd = bpf_map__fd(sp->skel->maps.hist);
	struct sock_hist_key key, *keys = NULL;
	/* [tgid slot][proto tcp/udp][dir] */
	struct { uint32_t tgid; uint64_t n[2][2][SOCK_HIST_SLOTS]; } *h = NULL;
	struct rec_sockhist *r = NULL;
	size_t nkeys = 0;
	int nr = 0, err;

	err = collector__map_keys(fd, (void **)&keys, &nkeys, NULL);
	if (err)
		goto free_h;
	for (size_t ki = 0; ki < nkeys; ki++) {
		uint64_t cnt;
		int i;

		key = keys[ki];
		if (collector__take(fd, &key, &cnt) || key.slot >= SOCK_HIST_SLOTS)
			continue;
		for (i = 0; i < nr && h[i].tgid != key.tgid; i++)
			;
		if (i == nr) {
			void *nh = realloc(h, (nr + 1) * sizeof(*h));

			if (!nh) {
				err = -ENOMEM;
				goto free_h;
			}
			h = nh;
			memset(&h[nr], 0, sizeof(*h));
			h[nr++].tgid = key.tgid;
		}
		h[i].n[key.proto == SOCK_PROTO_UDP][key.dir == SOCK_RX][key.slot] += cnt;
	}
	r = malloc(sizeof(*r));
	if (!r) {
		err = -ENOMEM;
		goto free_h;
	}
	for (int i = 0; i < nr; i++) {
		for (int pr = 0; pr < 2; pr++) {
			for (int d = 0; d < 2; d++) {
				*r = (struct rec_sockhist){ .pid = h[i].tgid, .proto = pr ? "udp" : "tcp",
							    .dir = d ? "rx" : "tx" };
				for (int s = 0; s < SOCK_HIST_SLOTS; s++)
					rec_buckets__add(&r->buckets, hist_log2_low(s),
							 h[i].n[pr][d][s]);
				if (!r->buckets.nr)
					continue;
				err = records__add_sockhist(p, r);
				if (err < 0)
					goto free_h;
				err = 0;
			}
		}
	}
free_h:
	free(keys);
	free(r);
	free(h);
	return err;
}

int sock__drain_errs(struct collector *c, struct profile *p)
{
	struct sock_priv *sp = c->priv;
	int fd = bpf_map__fd(sp->skel->maps.errs);
	struct sock_err_key key, *keys = NULL;
	/* the stack is dropped: records carry no stacks; sum over it */
	struct { struct sock_err_key k; uint64_t n; } *v = NULL;
	size_t nkeys = 0;
	int nr = 0, err;

	err = collector__map_keys(fd, (void **)&keys, &nkeys, NULL);
	if (err)
		goto free_v;
	for (size_t ki = 0; ki < nkeys; ki++) {
		struct sock_err_key k;
		uint64_t cnt;
		int i;

		key = keys[ki];
		if (collector__take(fd, &key, &cnt))
			continue;
		k = key;
		k.user_stack_id = 0;
		for (i = 0; i < nr && memcmp(&v[i].k, &k, sizeof(k)); i++)
			;
		if (i == nr) {
			void *nv = realloc(v, (nr + 1) * sizeof(*v));

			if (!nv) {
				err = -ENOMEM;
				goto free_v;
			}
			v = nv;
			v[nr].k = k;
			v[nr++].n = 0;
		}
		v[i].n += cnt;
	}
	for (int i = 0; i < nr; i++) {
		char errnum[16];
		const char *name = strerrorname_np(v[i].k.err);
		struct rec_sockerr r = {
			.pid = v[i].k.tgid, .proto = proto_str(v[i].k.proto),
			.call = v[i].k.call < SC_MAX ? call_names[v[i].k.call] : "?",
			.errnum = v[i].k.err, .count = v[i].n,
		};

		snprintf(errnum, sizeof(errnum), "%u", v[i].k.err);
		r.error = name ? name : errnum;
		err = records__add_sockerr(p, &r);
		if (err < 0)
			goto free_v;
		err = 0;
	}
free_v:
	free(keys);
	free(v);
	return err;
}

/* Retransmits and failed connects, one record per (pid, event, errno, path, service port). */
int sock__drain_events(struct collector *c, struct profile *p)
{
	static const char *const names[SOCK_EV_MAX] = {
		[SOCK_EV_RETRANSMIT] = "retransmit", [SOCK_EV_CONNECT_ERROR] = "connect_error",
	};
	struct sock_priv *sp = c->priv;
	int fd = bpf_map__fd(sp->skel->maps.events);
	struct sock_event_key key, *keys = NULL;
	size_t nkeys = 0;
	int err;

	err = collector__map_keys(fd, (void **)&keys, &nkeys, NULL);
	for (size_t ki = 0; !err && ki < nkeys; ki++) {
		struct rec_sockevent r;
		char errnum[16];
		const char *name;
		uint64_t cnt;

		key = keys[ki];
		if (collector__take(fd, &key, &cnt) || key.kind >= SOCK_EV_MAX)
			continue;
		name = key.err ? strerrorname_np(key.err) : "";
		snprintf(errnum, sizeof(errnum), "%u", key.err);
		r = (struct rec_sockevent){
			.pid = key.tgid, .event = names[key.kind], .error = name ? name : errnum,
			.count = cnt, .proto = proto_str(key.proto), .lport = key.lport,
			.rport = key.rport,
		};
		r.path = path_of(c, key.path, key.proto, key.lport, key.rport, &r.path_by);
		err = records__add_sockevent(p, &r);
		if (err > 0)
			err = 0;
	}
	free(keys);
	return err;
}
