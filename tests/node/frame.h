/* SPDX-License-Identifier: GPL-2.0 */
/*
 * frame.h - wire formats: DHT datagrams (UDP) and length-prefixed gossip
 * frames (TCP), plus a reassembly buffer for partial TCP reads.
 *
 * All integers are big-endian on the wire.
 */
#ifndef P2P_FRAME_H
#define P2P_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "dht_table.h"

#define DHT_VALUE_MAX	64
#define DHT_MSG_MAX	1024
#define DHT_MAGIC	0x5044	/* "PD" */

enum dht_type {
	DHT_PING = 1, DHT_PONG, DHT_FIND_NODE, DHT_NODES,
	DHT_FIND_VALUE, DHT_VALUE, DHT_STORE, DHT_STORE_ACK,
};

struct dht_msg {
	uint8_t type;
	uint64_t txn;			/* matches a reply to its request */
	uint8_t sender[ID_LEN];
	uint16_t udp_port, tcp_port;	/* sender's; its ip is the source address */
	uint8_t target[ID_LEN];		/* FIND_NODE, FIND_VALUE, STORE key */
	int ncontacts;			/* NODES */
	struct contact contacts[DHT_K];
	uint16_t vlen;			/* VALUE, STORE */
	uint8_t value[DHT_VALUE_MAX];
};

int dht_msg_encode(const struct dht_msg *m, uint8_t *buf, size_t cap);
int dht_msg_decode(struct dht_msg *m, const uint8_t *buf, size_t len);

/* TCP framing: u32 length of what follows, u8 type, payload. */
#define FRAME_HDR	5
#define FRAME_MAX	(64 * 1024)

enum frame_type { FR_HELLO = 1, FR_HELLO_ACK, FR_GOSSIP };

#define HELLO_BOOT	0x01	/* dialer is bootstrapping: always admit */
#define HELLO_ACCEPT	0x02	/* in an ack: you are in my mesh */

struct hello {
	uint8_t id[ID_LEN];
	uint16_t index, udp_port, tcp_port;
	uint8_t flags;
};
#define HELLO_LEN	(ID_LEN + 7)

#define GOSSIP_PAYLOAD_MAX 4096
struct gossip_msg {
	uint64_t id;
	uint16_t origin;	/* publishing node's index */
	uint8_t hops;
	uint8_t work;		/* validation work units the sender asks (expensive-peer) */
	uint64_t pub_mono;	/* CLOCK_MONOTONIC at publish: one clock per host */
	uint32_t csum;		/* FNV-1a of data: what validation checks */
	uint16_t len;
	uint8_t data[GOSSIP_PAYLOAD_MAX];
};
#define GOSSIP_HDR_LEN	26

int frame_put(uint8_t *out, size_t cap, uint8_t type, const void *payload, uint32_t plen);
int hello_encode(const struct hello *h, uint8_t *buf);
int hello_decode(struct hello *h, const uint8_t *buf, size_t len);
int gossip_msg_encode(const struct gossip_msg *m, uint8_t *buf, size_t cap);
int gossip_msg_decode(struct gossip_msg *m, const uint8_t *buf, size_t len);
uint32_t fnv1a(const uint8_t *p, size_t n);

/* Reassembly of a TCP byte stream into frames. */
struct frame_buf {
	uint8_t *data;
	size_t len, cap, off;	/* bytes [off, len) are not yet consumed */
};

int frame_feed(struct frame_buf *fb, const void *bytes, size_t n);
int frame_next(struct frame_buf *fb, uint8_t *type, const uint8_t **payload, uint32_t *plen);
void frame_buf_free(struct frame_buf *fb);

#endif
