// SPDX-License-Identifier: GPL-2.0
/*
 * net_report.c - what the driver measured: bookkeeping while it runs, then
 * the summary as text (stdout) and JSON (--json; schema in docs/testnet.md).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"

#define X_NAME(n) #n,
const char *const stat_names[ST_COUNT] = { NODE_STATS(X_NAME) };
#undef X_NAME

struct results res;

void res_error(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "p2pnet: %s\n", buf);
	if (res.nerrors < (int)(sizeof(res.errors) / sizeof(res.errors[0])))
		res.errors[res.nerrors++] = strdup(buf);
	else
		res.suppressed_errors++;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	return x ^ (x >> 33);
}

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap ? *cap : 256;

	while (c < need)
		c *= 2;
	if (c == *cap)
		return p;
	p = realloc(p, c * elem);
	if (!p) {
		fprintf(stderr, "p2pnet: out of memory\n");
		exit(1);
	}
	*cap = c;
	return p;
}

static void msg_reindex(void)
{
	free(res.msg_index);
	res.index_cap = res.capmsgs * 2;
	res.msg_index = malloc(res.index_cap * sizeof(int32_t));
	if (!res.msg_index) {
		fprintf(stderr, "p2pnet: out of memory\n");
		exit(1);
	}
	memset(res.msg_index, 0xff, res.index_cap * sizeof(int32_t));
	for (size_t i = 0; i < res.nmsgs; i++) {
		size_t h = mix(res.msgs[i].id) & (res.index_cap - 1);

		while (res.msg_index[h] >= 0)
			h = (h + 1) & (res.index_cap - 1);
		res.msg_index[h] = i;
	}
}

/* The record for a gossip message id, created on first sight. */
struct msgrec *res_msg(uint64_t id)
{
	size_t h;

	if (res.index_cap) {
		for (h = mix(id) & (res.index_cap - 1); res.msg_index[h] >= 0; h = (h + 1) & (res.index_cap - 1))
			if (res.msgs[res.msg_index[h]].id == id)
				return &res.msgs[res.msg_index[h]];
	}
	if (res.nmsgs + 1 > res.capmsgs || !res.index_cap) {
		size_t old = res.capmsgs;

		res.msgs = grow(res.msgs, &res.capmsgs, res.nmsgs + 1, sizeof(*res.msgs));
		if (old != res.capmsgs || !res.index_cap)
			msg_reindex();
	}
	res.msgs[res.nmsgs] = (struct msgrec){ .id = id };
	for (h = mix(id) & (res.index_cap - 1); res.msg_index[h] >= 0; h = (h + 1) & (res.index_cap - 1))
		;
	res.msg_index[h] = res.nmsgs;
	return &res.msgs[res.nmsgs++];
}

void res_add_delivery(int node, double ms)
{
	size_t cap = res.capdlv;

	res.dlv_ms = grow(res.dlv_ms, &res.capdlv, res.ndlv + 1, sizeof(double));
	if (res.capdlv != cap || !res.dlv_node) {
		res.dlv_node = realloc(res.dlv_node, res.capdlv * sizeof(int));
		if (!res.dlv_node) {
			fprintf(stderr, "p2pnet: out of memory\n");
			exit(1);
		}
	}
	res.dlv_node[res.ndlv] = node;
	res.dlv_ms[res.ndlv++] = ms;
}

struct dist {
	size_t n;
	double p50, p95, p99, max, mean;
};

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentiles; sorts v in place. */
static struct dist dist_of(double *v, size_t n)
{
	struct dist d = { .n = n };
	double sum = 0;

	if (!n)
		return d;
	qsort(v, n, sizeof(*v), dcmp);
	for (size_t i = 0; i < n; i++)
		sum += v[i];
#define RANK(p) v[(size_t)ceil((p) / 100.0 * n) - 1]
	d.p50 = RANK(50);
	d.p95 = RANK(95);
	d.p99 = RANK(99);
#undef RANK
	d.max = v[n - 1];
	d.mean = sum / n;
	return d;
}

struct summary {
	size_t lookups, ok, unanswered, kind_n[3], kind_ok[3];
	struct dist lat, gossip, full, boot;
	size_t published, deliveries, expected, full_n;
	double ratio;
	uint64_t totals[ST_COUNT];
	struct proc_usage usage;
};

static int kind_slot(char k)
{
	return k == 'f' ? 0 : k == 'g' ? 1 : 2;
}

static void summarise(struct summary *s)
{
	double *lat = malloc((res.nops + 1) * sizeof(double));
	double *full = malloc((res.nmsgs + 1) * sizeof(double));
	double *boot = malloc((cfg.nodes + 1) * sizeof(double));
	double *dlv = malloc((res.ndlv + 1) * sizeof(double));
	size_t nl = 0, nf = 0, nb = 0;

	memset(s, 0, sizeof(*s));
	if (!lat || !full || !boot || !dlv) {
		fprintf(stderr, "p2pnet: out of memory\n");
		exit(1);
	}
	for (size_t i = 0; i < res.nops; i++) {
		struct op *o = &res.ops[i];

		s->lookups++;
		s->kind_n[kind_slot(o->kind)]++;
		if (!o->done) {
			s->unanswered++;
			continue;
		}
		lat[nl++] = o->latency_ns / 1e6;
		if (o->ok) {
			s->ok++;
			s->kind_ok[kind_slot(o->kind)]++;
		}
	}
	s->lat = dist_of(lat, nl);
	for (size_t i = 0; i < res.nmsgs; i++) {
		struct msgrec *m = &res.msgs[i];

		if (!m->published)
			continue;
		s->published++;
		s->deliveries += m->deliveries;
		if (m->deliveries >= cfg.nodes - 1)
			full[nf++] = m->max_lat_ns / 1e6;
	}
	s->full_n = nf;
	s->full = dist_of(full, nf);
	s->expected = s->published * (size_t)(cfg.nodes - 1);
	s->ratio = s->expected ? (double)s->deliveries / s->expected : 0;
	/* a copy: dist_of sorts, and dlv_ms must stay parallel to dlv_node */
	memcpy(dlv, res.dlv_ms, res.ndlv * sizeof(double));
	s->gossip = dist_of(dlv, res.ndlv);
	for (int i = 0; i < cfg.nodes; i++) {
		if (nodes[i].ready)
			boot[nb++] = nodes[i].bootstrap_ns / 1e6;
		for (int k = 0; k < ST_COUNT; k++)
			s->totals[k] += nodes[i].stats[k];
		s->usage.cpu_ms += nodes[i].usage.cpu_ms;
		s->usage.runq_ns += nodes[i].usage.runq_ns;
		s->usage.vcsw += nodes[i].usage.vcsw;
		s->usage.ivcsw += nodes[i].usage.ivcsw;
	}
	s->boot = dist_of(boot, nb);
	free(lat);
	free(full);
	free(boot);
	free(dlv);
}

/* What one node did: the lookups it was asked for, the deliveries it made. */
struct node_summary {
	size_t lookups, ok, unanswered;
	struct dist lat, dlv;
};

static void summarise_node(int node, struct node_summary *ns)
{
	double *lat = malloc((res.nops + 1) * sizeof(double));
	double *dlv = malloc((res.ndlv + 1) * sizeof(double));
	size_t nl = 0, nd = 0;

	memset(ns, 0, sizeof(*ns));
	if (!lat || !dlv) {
		fprintf(stderr, "p2pnet: out of memory\n");
		exit(1);
	}
	for (size_t i = 0; i < res.nops; i++) {
		const struct op *o = &res.ops[i];

		if (o->node != node)
			continue;
		ns->lookups++;
		if (!o->done) {
			ns->unanswered++;
			continue;
		}
		lat[nl++] = o->latency_ns / 1e6;
		ns->ok += o->ok;
	}
	for (size_t i = 0; i < res.ndlv; i++)
		if (res.dlv_node[i] == node)
			dlv[nd++] = res.dlv_ms[i];
	ns->lat = dist_of(lat, nl);
	ns->dlv = dist_of(dlv, nd);
	free(lat);
	free(dlv);
}

void report_text(void)
{
	struct summary s;
	const uint64_t *t;

	summarise(&s);
	t = s.totals;
	printf("p2pnet: %d nodes, %.1f s of traffic, dht %.1f/s, gossip %.1f/s, inject %s%s\n",
	       cfg.nodes, res.ran_s, cfg.dht_rate, cfg.gossip_rate,
	       cfg.inject_str[0] ? cfg.inject_str : "none",
	       cfg.inject_str[0] && cfg.on_node >= 0 ? " (one node)" : "");
	printf("dht lookups    %zu, %zu ok (%.1f%%), %zu unanswered; latency ms p50 %.2f p95 %.2f p99 %.2f max %.2f\n",
	       s.lookups, s.ok, s.lookups ? 100.0 * s.ok / s.lookups : 0, s.unanswered,
	       s.lat.p50, s.lat.p95, s.lat.p99, s.lat.max);
	printf("gossip         %zu published, %zu/%zu delivered (%.2f%%); latency ms p50 %.2f p95 %.2f p99 %.2f; "
	       "all nodes reached in p50 %.2f ms\n",
	       s.published, s.deliveries, s.expected, 100 * s.ratio,
	       s.gossip.p50, s.gossip.p95, s.gossip.p99, s.full.p50);
	printf("bootstrap      %zu/%d nodes ready in %.0f ms; per node ms p50 %.2f p95 %.2f max %.2f\n",
	       s.boot.n, cfg.nodes, res.ready_ms, s.boot.p50, s.boot.p95, s.boot.max);
	printf("traffic        dht udp tx %lu msgs %lu B, rx %lu msgs %lu B, %lu timeouts, %lu dropped\n",
	       t[ST_dht_tx_msgs], t[ST_dht_tx_bytes], t[ST_dht_rx_msgs], t[ST_dht_rx_bytes],
	       t[ST_dht_timeouts], t[ST_dht_dropped]);
	printf("               gossip tcp tx %lu msgs %lu B in %lu writes, rx %lu msgs %lu B in %lu reads\n",
	       t[ST_gossip_tx_msgs], t[ST_gossip_tx_bytes], t[ST_gossip_tx_writes],
	       t[ST_gossip_rx_msgs], t[ST_gossip_rx_bytes], t[ST_gossip_rx_reads]);
	printf("%5s %7s %9s %17s %17s %17s %17s %8s %7s %6s\n", "node", "pid", "boot_ms",
	       "dht_tx msg/B", "dht_rx msg/B", "gsp_tx msg/B", "gsp_rx msg/B", "writes", "cpu_ms", "errors");
	for (int i = 0; i < cfg.nodes; i++) {
		struct nodeproc *n = &nodes[i];
		const uint64_t *v = n->stats;

		printf("%5d %7d %9.2f %8lu/%-8lu %8lu/%-8lu %8lu/%-8lu %8lu/%-8lu %8lu %7lu %6lu\n",
		       i, n->pid, n->bootstrap_ns / 1e6, v[ST_dht_tx_msgs], v[ST_dht_tx_bytes],
		       v[ST_dht_rx_msgs], v[ST_dht_rx_bytes], v[ST_gossip_tx_msgs], v[ST_gossip_tx_bytes],
		       v[ST_gossip_rx_msgs], v[ST_gossip_rx_bytes], v[ST_gossip_tx_writes], n->usage.cpu_ms,
		       v[ST_errors]);
	}
	printf("errors         %d\n", res.nerrors + res.suppressed_errors);
	fflush(stdout);
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_dist(FILE *f, const struct dist *d)
{
	fprintf(f, "{\"count\": %zu, \"p50\": %.3f, \"p95\": %.3f, \"p99\": %.3f, \"max\": %.3f, \"mean\": %.3f}",
		d->n, d->p50, d->p95, d->p99, d->max, d->mean);
}

/* ", \"KEY\": {\"PORT\": N, ...}" from the node's "PORT:N,..." */
static void json_from(FILE *f, const char *key, const char *list)
{
	unsigned port;
	unsigned long n;
	int used;

	fprintf(f, ", \"%s\": {", key);
	for (bool first = true; sscanf(list, "%u:%lu%n", &port, &n, &used) == 2; first = false) {
		fprintf(f, "%s\"%u\": %lu", first ? "" : ", ", port, n);
		list += used;
		if (*list == ',')
			list++;
	}
	fputs("}", f);
}

static void json_counters(FILE *f, const uint64_t *v, const struct proc_usage *u)
{
	fprintf(f, "\"dht\": {\"tx_msgs\": %lu, \"tx_bytes\": %lu, \"rx_msgs\": %lu, \"rx_bytes\": %lu, "
		"\"dropped\": %lu, \"timeouts\": %lu}, ",
		v[ST_dht_tx_msgs], v[ST_dht_tx_bytes], v[ST_dht_rx_msgs], v[ST_dht_rx_bytes],
		v[ST_dht_dropped], v[ST_dht_timeouts]);
	fprintf(f, "\"gossip\": {\"tx_msgs\": %lu, \"tx_bytes\": %lu, \"tx_writes\": %lu, \"rx_msgs\": %lu, "
		"\"rx_bytes\": %lu, \"rx_reads\": %lu, \"dups\": %lu, \"invalid\": %lu, \"delivered\": %lu, "
		"\"published\": %lu}, ",
		v[ST_gossip_tx_msgs], v[ST_gossip_tx_bytes], v[ST_gossip_tx_writes], v[ST_gossip_rx_msgs],
		v[ST_gossip_rx_bytes], v[ST_gossip_rx_reads], v[ST_gossip_dups], v[ST_gossip_invalid],
		v[ST_gossip_delivered], v[ST_gossip_published]);
	fprintf(f, "\"cpu_ms\": %lu, \"runq_ms\": %.3f, \"ctx_switches\": {\"voluntary\": %lu, \"involuntary\": %lu}, \"errors\": %lu",
		u->cpu_ms, u->runq_ns / 1e6, u->vcsw, u->ivcsw, v[ST_errors]);
}

/* Written to PATH.tmp and renamed, so a reader never sees half a file. */
int report_json(const char *path)
{
	char tmp[4096];
	struct summary s;
	struct node_summary ns;
	const char *names[] = { "find", "get", "put" };
	char *list, *save = NULL, *tok;
	FILE *f;

	summarise(&s);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "{\n  \"schema\": \"p2pnet/1\",\n  \"config\": {\"nodes\": %d, \"duration_s\": %g, "
		"\"dht_rate\": %g, \"gossip_rate\": %g, \"inject\": [",
		cfg.nodes, cfg.duration, cfg.dht_rate, cfg.gossip_rate);
	list = strdup(cfg.inject_str);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		json_str(f, tok);
		if (save && *save)
			fputs(", ", f);
	}
	free(list);
	fprintf(f, "], \"on_node\": %d, \"latency_ms\": %u, \"jitter_ms\": %u, \"loss_pct\": %g, "
		"\"netns\": %s, \"netem\": \"%s\", \"base_port\": %d, \"msg_size\": %u, "
		"\"start_gate\": %s},\n",
		cfg.on_node, cfg.latency_ms, cfg.jitter_ms, cfg.loss_pct, cfg.netns ? "true" : "false",
		cfg.tc_netem ? "tc" : "node", cfg.base_port, cfg.msg_size,
		cfg.start_gate ? "true" : "false");
	fputs("  \"inject_changes\": [", f);
	for (int i = 0; i < res.nchanges; i++) {
		fprintf(f, "%s{\"at_s\": %.3f, \"on_node\": %d, \"inject\": ", i ? ", " : "",
			res.changes[i].at_s, res.changes[i].on_node);
		json_str(f, res.changes[i].inject);
		fputc('}', f);
	}
	fputs("],\n", f);
	fprintf(f, "  \"ran_s\": %.3f,\n  \"ready_ms\": %.3f,\n", res.ran_s, res.ready_ms);
	fprintf(f, "  \"dht\": {\"lookups\": %zu, \"ok\": %zu, \"unanswered\": %zu, \"success_ratio\": %.4f, \"latency_ms\": ",
		s.lookups, s.ok, s.unanswered, s.lookups ? (double)s.ok / s.lookups : 0);
	json_dist(f, &s.lat);
	fputs(", \"by_kind\": {", f);
	for (int k = 0; k < 3; k++)
		fprintf(f, "%s\"%s\": {\"count\": %zu, \"ok\": %zu}", k ? ", " : "", names[k],
			s.kind_n[k], s.kind_ok[k]);
	fputs("}},\n", f);
	fprintf(f, "  \"gossip\": {\"published\": %zu, \"deliveries\": %zu, \"expected\": %zu, "
		"\"delivery_ratio\": %.4f, \"latency_ms\": ", s.published, s.deliveries, s.expected, s.ratio);
	json_dist(f, &s.gossip);
	fprintf(f, ", \"fully_propagated\": %zu, \"full_propagation_ms\": ", s.full_n);
	json_dist(f, &s.full);
	fputs("},\n  \"bootstrap_ms\": ", f);
	json_dist(f, &s.boot);
	fputs(",\n  \"per_node\": [\n", f);
	for (int i = 0; i < cfg.nodes; i++) {
		struct nodeproc *n = &nodes[i];

		fprintf(f, "    {\"index\": %d, \"pid\": %d, \"id\": \"%s\", \"addr\": \"%s\", \"udp_port\": %d, "
			"\"tcp_port\": %d, \"ready\": %s, \"bootstrap_ms\": %.3f, \"rt_size\": %lu, \"mesh\": %lu, ",
			i, n->pid, n->idhex, n->addr, cfg.base_port + i, cfg.base_port + 1000 + i,
			n->ready ? "true" : "false", n->bootstrap_ns / 1e6, n->stats[ST_rt_size], n->stats[ST_mesh]);
		summarise_node(i, &ns);
		fprintf(f, "\"lookups\": {\"count\": %zu, \"ok\": %zu, \"unanswered\": %zu, \"latency_ms\": ",
			ns.lookups, ns.ok, ns.unanswered);
		json_dist(f, &ns.lat);
		fputs("}, \"deliveries\": {\"latency_ms\": ", f);
		json_dist(f, &ns.dlv);
		fputs("}, ", f);
		json_counters(f, n->stats, &n->usage);
		json_from(f, "dht_requests_from", n->req_from);
		json_from(f, "dht_datagrams_from", n->dgram_from);
		json_from(f, "dht_cpu_ns_from", n->dht_cpu_from);
		json_from(f, "dht_loop_cpu_ns_from", n->dht_loop_cpu_from);
		json_from(f, "dht_wait_ns_from", n->dht_wait_from);
		json_from(f, "gossip_frames_from", n->gossip_frames_from);
		json_from(f, "gossip_cpu_ns_from", n->gossip_cpu_from);
		fprintf(f, "}%s\n", i + 1 < cfg.nodes ? "," : "");
	}
	fputs("  ],\n  \"totals\": {", f);
	json_counters(f, s.totals, &s.usage);
	fputs("},\n  \"errors\": [", f);
	for (int i = 0; i < res.nerrors; i++) {
		fputs(i ? ", " : "", f);
		json_str(f, res.errors[i]);
	}
	fprintf(f, "],\n  \"errors_suppressed\": %d\n}\n", res.suppressed_errors);
	if (fclose(f) || rename(tmp, path)) {
		unlink(tmp);
		return -1;
	}
	return 0;
}
