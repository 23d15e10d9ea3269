/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dht_table.h - 160-bit node ids, XOR distance and the Kademlia routing table.
 *
 * Pure data structures with no I/O, so the unit tests can drive them directly.
 */
#ifndef P2P_DHT_TABLE_H
#define P2P_DHT_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>

#define ID_LEN		20
#define ID_BITS		160
#define DHT_K		20
/* A contact whose queries timed out this many times in a row is stale. */
#define RT_STALE_FAILS	2

struct contact {
	uint8_t id[ID_LEN];
	uint32_t ip;		/* network byte order */
	uint16_t udp_port;	/* host byte order */
	uint16_t tcp_port;
};

struct rt_entry {
	struct contact c;
	uint32_t fails;
};

/* Entries are kept least-recently-seen first, as in the Kademlia paper. */
struct rt_bucket {
	int n;
	struct rt_entry e[DHT_K];
};

/*
 * Buckets 0..nbuckets-2 hold contacts sharing exactly i leading bits with
 * self; the last bucket holds everything closer.  Only the last bucket (the
 * one covering our own id) is ever split, which is the classic tree shape.
 */
struct rtable {
	uint8_t self[ID_LEN];
	int nbuckets;
	struct rt_bucket b[ID_BITS];
	pthread_mutex_t lock;
};

enum rt_result { RT_ADDED, RT_UPDATED, RT_EVICTED, RT_FULL, RT_SELF };

/* When set, every distance goes through dht_distance_slow (--inject dht-cpu). */
extern bool dht_distance_expensive;

void dht_distance(const uint8_t *a, const uint8_t *b, uint8_t *out);
void dht_distance_slow(const uint8_t *a, const uint8_t *b, uint8_t *out);
int id_cpl(const uint8_t *a, const uint8_t *b);
void id_to_hex(const uint8_t *id, char *hex /* 41 bytes */);
int id_from_hex(uint8_t *id, const char *hex);

void rt_init(struct rtable *rt, const uint8_t *self);
enum rt_result rt_insert(struct rtable *rt, const struct contact *c);
void rt_fail(struct rtable *rt, const uint8_t *id);
int rt_closest(struct rtable *rt, const uint8_t *target, struct contact *out, int max);
int rt_size(struct rtable *rt);
int rt_all(struct rtable *rt, struct contact *out, int max);

#endif
