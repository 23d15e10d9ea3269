// SPDX-License-Identifier: GPL-2.0
/*
 * frame.c - encoding and decoding of every message the node sends.
 *
 * Decoders never trust a length from the wire: each read is bounds-checked
 * against the buffer, and malformed input returns -1.
 */
#include <stdlib.h>
#include <string.h>

#include "frame.h"

struct wr { uint8_t *p; size_t cap, n; int bad; };
struct rd { const uint8_t *p; size_t len, n; int bad; };

static void w_bytes(struct wr *w, const void *b, size_t n)
{
	if (w->n + n > w->cap) {
		w->bad = 1;
		return;
	}
	memcpy(w->p + w->n, b, n);
	w->n += n;
}

static void w_u8(struct wr *w, uint8_t v) { w_bytes(w, &v, 1); }

static void w_u16(struct wr *w, uint16_t v)
{
	uint8_t b[2] = { v >> 8, v };

	w_bytes(w, b, 2);
}

static void w_u32(struct wr *w, uint32_t v)
{
	uint8_t b[4] = { v >> 24, v >> 16, v >> 8, v };

	w_bytes(w, b, 4);
}

static void w_u64(struct wr *w, uint64_t v)
{
	w_u32(w, v >> 32);
	w_u32(w, (uint32_t)v);
}

static const uint8_t *r_bytes(struct rd *r, size_t n)
{
	const uint8_t *p;

	if (r->n + n > r->len) {
		r->bad = 1;
		return NULL;
	}
	p = r->p + r->n;
	r->n += n;
	return p;
}

static uint8_t r_u8(struct rd *r)
{
	const uint8_t *p = r_bytes(r, 1);

	return p ? p[0] : 0;
}

static uint16_t r_u16(struct rd *r)
{
	const uint8_t *p = r_bytes(r, 2);

	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

static uint32_t r_u32(struct rd *r)
{
	const uint8_t *p = r_bytes(r, 4);

	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : 0;
}

static uint64_t r_u64(struct rd *r)
{
	uint64_t hi = r_u32(r);

	return hi << 32 | r_u32(r);
}

static void r_copy(struct rd *r, void *dst, size_t n)
{
	const uint8_t *p = r_bytes(r, n);

	if (p)
		memcpy(dst, p, n);
}

int dht_msg_encode(const struct dht_msg *m, uint8_t *buf, size_t cap)
{
	struct wr w = { buf, cap, 0, 0 };

	w_u16(&w, DHT_MAGIC);
	w_u8(&w, m->type);
	w_u64(&w, m->txn);
	w_bytes(&w, m->sender, ID_LEN);
	w_u16(&w, m->udp_port);
	w_u16(&w, m->tcp_port);
	switch (m->type) {
	case DHT_FIND_NODE:
	case DHT_FIND_VALUE:
		w_bytes(&w, m->target, ID_LEN);
		break;
	case DHT_NODES:
		if (m->ncontacts < 0 || m->ncontacts > DHT_K)
			return -1;
		w_u8(&w, m->ncontacts);
		for (int i = 0; i < m->ncontacts; i++) {
			w_bytes(&w, m->contacts[i].id, ID_LEN);
			w_bytes(&w, &m->contacts[i].ip, 4);	/* already network order */
			w_u16(&w, m->contacts[i].udp_port);
			w_u16(&w, m->contacts[i].tcp_port);
		}
		break;
	case DHT_STORE:
		w_bytes(&w, m->target, ID_LEN);
		/* fall through */
	case DHT_VALUE:
		if (m->vlen > DHT_VALUE_MAX)
			return -1;
		w_u16(&w, m->vlen);
		w_bytes(&w, m->value, m->vlen);
		break;
	}
	return w.bad ? -1 : (int)w.n;
}

int dht_msg_decode(struct dht_msg *m, const uint8_t *buf, size_t len)
{
	struct rd r = { buf, len, 0, 0 };

	if (r_u16(&r) != DHT_MAGIC)
		return -1;
	m->type = r_u8(&r);
	m->txn = r_u64(&r);
	r_copy(&r, m->sender, ID_LEN);
	m->udp_port = r_u16(&r);
	m->tcp_port = r_u16(&r);
	m->ncontacts = 0;
	m->vlen = 0;
	switch (m->type) {
	case DHT_PING:
	case DHT_PONG:
	case DHT_STORE_ACK:
		break;
	case DHT_FIND_NODE:
	case DHT_FIND_VALUE:
		r_copy(&r, m->target, ID_LEN);
		break;
	case DHT_NODES:
		m->ncontacts = r_u8(&r);
		if (m->ncontacts > DHT_K)
			return -1;
		for (int i = 0; i < m->ncontacts && !r.bad; i++) {
			r_copy(&r, m->contacts[i].id, ID_LEN);
			r_copy(&r, &m->contacts[i].ip, 4);
			m->contacts[i].udp_port = r_u16(&r);
			m->contacts[i].tcp_port = r_u16(&r);
		}
		break;
	case DHT_STORE:
		r_copy(&r, m->target, ID_LEN);
		/* fall through */
	case DHT_VALUE:
		m->vlen = r_u16(&r);
		if (m->vlen > DHT_VALUE_MAX)
			return -1;
		r_copy(&r, m->value, m->vlen);
		break;
	default:
		return -1;
	}
	return r.bad ? -1 : 0;
}

int frame_put(uint8_t *out, size_t cap, uint8_t type, const void *payload, uint32_t plen)
{
	struct wr w = { out, cap, 0, 0 };

	if (plen + 1 > FRAME_MAX)
		return -1;
	w_u32(&w, plen + 1);
	w_u8(&w, type);
	w_bytes(&w, payload, plen);
	return w.bad ? -1 : (int)w.n;
}

int hello_encode(const struct hello *h, uint8_t *buf)
{
	struct wr w = { buf, HELLO_LEN, 0, 0 };

	w_bytes(&w, h->id, ID_LEN);
	w_u16(&w, h->index);
	w_u16(&w, h->udp_port);
	w_u16(&w, h->tcp_port);
	w_u8(&w, h->flags);
	return w.bad ? -1 : (int)w.n;
}

int hello_decode(struct hello *h, const uint8_t *buf, size_t len)
{
	struct rd r = { buf, len, 0, 0 };

	r_copy(&r, h->id, ID_LEN);
	h->index = r_u16(&r);
	h->udp_port = r_u16(&r);
	h->tcp_port = r_u16(&r);
	h->flags = r_u8(&r);
	return r.bad ? -1 : 0;
}

int gossip_msg_encode(const struct gossip_msg *m, uint8_t *buf, size_t cap)
{
	struct wr w = { buf, cap, 0, 0 };

	if (m->len > GOSSIP_PAYLOAD_MAX)
		return -1;
	w_u64(&w, m->id);
	w_u16(&w, m->origin);
	w_u8(&w, m->hops);
	w_u8(&w, m->work);
	w_u64(&w, m->pub_mono);
	w_u32(&w, m->csum);
	w_u16(&w, m->len);
	w_bytes(&w, m->data, m->len);
	return w.bad ? -1 : (int)w.n;
}

int gossip_msg_decode(struct gossip_msg *m, const uint8_t *buf, size_t len)
{
	struct rd r = { buf, len, 0, 0 };

	m->id = r_u64(&r);
	m->origin = r_u16(&r);
	m->hops = r_u8(&r);
	m->work = r_u8(&r);
	m->pub_mono = r_u64(&r);
	m->csum = r_u32(&r);
	m->len = r_u16(&r);
	if (m->len > GOSSIP_PAYLOAD_MAX)
		return -1;
	r_copy(&r, m->data, m->len);
	if (!r.bad && r.n != len)
		return -1;	/* trailing bytes: not a frame we wrote */
	return r.bad ? -1 : 0;
}

uint32_t fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

int frame_feed(struct frame_buf *fb, const void *bytes, size_t n)
{
	if (fb->off && fb->off == fb->len) {
		fb->off = fb->len = 0;
	} else if (fb->off > fb->cap / 2) {
		/* Compact only once half the buffer is dead, to keep feeds O(1). */
		memmove(fb->data, fb->data + fb->off, fb->len - fb->off);
		fb->len -= fb->off;
		fb->off = 0;
	}
	if (fb->len + n > fb->cap) {
		size_t cap = fb->cap ? fb->cap : 4096;
		uint8_t *p;

		while (cap < fb->len + n)
			cap *= 2;
		p = realloc(fb->data, cap);
		if (!p)
			return -1;
		fb->data = p;
		fb->cap = cap;
	}
	memcpy(fb->data + fb->len, bytes, n);
	fb->len += n;
	return 0;
}

/*
 * 1 and a frame (payload points into the buffer, valid until the next feed),
 * 0 when more bytes are needed, -1 when the stream is corrupt.
 */
int frame_next(struct frame_buf *fb, uint8_t *type, const uint8_t **payload, uint32_t *plen)
{
	size_t avail = fb->len - fb->off;
	const uint8_t *p = fb->data + fb->off;
	uint32_t len;

	if (avail < FRAME_HDR)
		return 0;
	len = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	if (len < 1 || len > FRAME_MAX)
		return -1;
	if (avail < 4 + (size_t)len)
		return 0;
	*type = p[4];
	*payload = p + FRAME_HDR;
	*plen = len - 1;
	fb->off += 4 + len;
	return 1;
}

void frame_buf_free(struct frame_buf *fb)
{
	free(fb->data);
	fb->data = NULL;
	fb->len = fb->cap = fb->off = 0;
}
