// SPDX-License-Identifier: GPL-2.0
/* Unit tests: tests/node/frame.c - DHT datagrams, gossip frames, partial reads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "frame.h"

static struct dht_msg base_msg(uint8_t type)
{
	struct dht_msg m;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.txn = 0x0102030405060708ULL;
	for (int i = 0; i < ID_LEN; i++) {
		m.sender[i] = i;
		m.target[i] = 0xf0 ^ i;
	}
	m.udp_port = 4007;
	m.tcp_port = 5007;
	return m;
}

static void roundtrip(const struct dht_msg *m, struct dht_msg *out)
{
	uint8_t buf[DHT_MSG_MAX];
	int n = dht_msg_encode(m, buf, sizeof(buf));

	assert_true(n > 0);
	assert_int_equal(dht_msg_decode(out, buf, n), 0);
	assert_int_equal(out->type, m->type);
	assert_true(out->txn == m->txn);
	assert_memory_equal(out->sender, m->sender, ID_LEN);
	assert_int_equal(out->udp_port, m->udp_port);
	assert_int_equal(out->tcp_port, m->tcp_port);
	/* every proper prefix is rejected, not misread */
	for (int cut = 0; cut < n; cut++) {
		struct dht_msg scratch;

		assert_int_equal(dht_msg_decode(&scratch, buf, cut), -1);
	}
}

static void test_dht_roundtrip(void **state)
{
	struct dht_msg m, out;

	m = base_msg(DHT_PING);
	roundtrip(&m, &out);
	m = base_msg(DHT_FIND_NODE);
	roundtrip(&m, &out);
	assert_memory_equal(out.target, m.target, ID_LEN);

	m = base_msg(DHT_NODES);
	m.ncontacts = DHT_K;
	for (int i = 0; i < DHT_K; i++) {
		memset(m.contacts[i].id, i + 1, ID_LEN);
		m.contacts[i].ip = 0x0100007f;
		m.contacts[i].udp_port = 4000 + i;
		m.contacts[i].tcp_port = 5000 + i;
	}
	roundtrip(&m, &out);
	assert_int_equal(out.ncontacts, DHT_K);
	assert_memory_equal(out.contacts, m.contacts, sizeof(m.contacts));

	m = base_msg(DHT_STORE);
	m.vlen = 5;
	memcpy(m.value, "hello", 5);
	roundtrip(&m, &out);
	assert_int_equal(out.vlen, 5);
	assert_memory_equal(out.value, "hello", 5);
	assert_memory_equal(out.target, m.target, ID_LEN);

	m = base_msg(DHT_VALUE);
	m.vlen = DHT_VALUE_MAX;
	memset(m.value, 'x', DHT_VALUE_MAX);
	roundtrip(&m, &out);
	assert_int_equal(out.vlen, DHT_VALUE_MAX);
}

static void test_dht_rejects(void **state)
{
	struct dht_msg m = base_msg(DHT_PING), out;
	uint8_t buf[DHT_MSG_MAX];
	int n;

	n = dht_msg_encode(&m, buf, sizeof(buf));
	buf[0] ^= 0xff;					/* bad magic */
	assert_int_equal(dht_msg_decode(&out, buf, n), -1);
	buf[0] ^= 0xff;
	buf[2] = 99;					/* unknown type */
	assert_int_equal(dht_msg_decode(&out, buf, n), -1);

	m = base_msg(DHT_NODES);
	m.ncontacts = DHT_K + 1;			/* never encoded */
	assert_int_equal(dht_msg_encode(&m, buf, sizeof(buf)), -1);
	m.ncontacts = 1;
	n = dht_msg_encode(&m, buf, sizeof(buf));
	buf[35] = DHT_K + 1;				/* count byte after the 35-byte header */
	assert_int_equal(dht_msg_decode(&out, buf, n), -1);

	m = base_msg(DHT_VALUE);
	m.vlen = DHT_VALUE_MAX + 1;
	assert_int_equal(dht_msg_encode(&m, buf, sizeof(buf)), -1);
	assert_int_equal(dht_msg_encode(&m, buf, 10), -1);	/* no room */
}

static int make_gossip_frame(uint8_t *out, size_t cap, uint64_t id, uint16_t len)
{
	struct gossip_msg *m = calloc(1, sizeof(*m));
	uint8_t body[GOSSIP_HDR_LEN + GOSSIP_PAYLOAD_MAX];
	int n;

	m->id = id;
	m->origin = 3;
	m->hops = 2;
	m->pub_mono = 123456789;
	m->len = len;
	for (int i = 0; i < len; i++)
		m->data[i] = i * 7;
	m->csum = fnv1a(m->data, len);
	n = gossip_msg_encode(m, body, sizeof(body));
	free(m);
	assert_int_equal(n, GOSSIP_HDR_LEN + len);
	return frame_put(out, cap, FR_GOSSIP, body, n);
}

static void check_gossip(const uint8_t *payload, uint32_t plen, uint64_t id, uint16_t len)
{
	struct gossip_msg *m = calloc(1, sizeof(*m));

	assert_int_equal(gossip_msg_decode(m, payload, plen), 0);
	assert_true(m->id == id);
	assert_int_equal(m->origin, 3);
	assert_int_equal(m->hops, 2);
	assert_int_equal(m->len, len);
	assert_int_equal(m->csum, fnv1a(m->data, m->len));
	free(m);
}

static void test_frame_whole_and_two(void **state)
{
	uint8_t buf[2048];
	struct frame_buf fb = { 0 };
	const uint8_t *p;
	uint32_t plen;
	uint8_t type;
	int a = make_gossip_frame(buf, sizeof(buf), 1, 100);
	int b = make_gossip_frame(buf + a, sizeof(buf) - a, 2, 300);

	assert_int_equal(frame_feed(&fb, buf, a + b), 0);
	assert_int_equal(frame_next(&fb, &type, &p, &plen), 1);
	assert_int_equal(type, FR_GOSSIP);
	check_gossip(p, plen, 1, 100);
	assert_int_equal(frame_next(&fb, &type, &p, &plen), 1);
	check_gossip(p, plen, 2, 300);
	assert_int_equal(frame_next(&fb, &type, &p, &plen), 0);
	frame_buf_free(&fb);
}

/* A TCP stream may split a frame anywhere: feed it a byte at a time. */
static void test_frame_partial_reads(void **state)
{
	uint8_t buf[4096];
	struct frame_buf fb = { 0 };
	const uint8_t *p;
	uint32_t plen;
	uint8_t type;
	int n = make_gossip_frame(buf, sizeof(buf), 77, 1000), got = 0;

	for (int i = 0; i < n; i++) {
		int r;

		assert_int_equal(frame_feed(&fb, buf + i, 1), 0);
		r = frame_next(&fb, &type, &p, &plen);
		if (i < n - 1) {
			assert_int_equal(r, 0);
		} else {
			assert_int_equal(r, 1);
			check_gossip(p, plen, 77, 1000);
			got++;
		}
	}
	assert_int_equal(got, 1);
	frame_buf_free(&fb);
}

/* Many frames in odd-sized chunks, more than the initial buffer holds. */
static void test_frame_chunked_stream(void **state)
{
	static uint8_t stream[64 * 1024];
	struct frame_buf fb = { 0 };
	const uint8_t *p;
	uint32_t plen;
	uint8_t type;
	size_t len = 0;
	int got = 0;

	for (int i = 0; i < 20; i++)
		len += make_gossip_frame(stream + len, sizeof(stream) - len, i + 1, 100 + i * 150);
	for (size_t off = 0; off < len;) {
		size_t chunk = 1 + (off * 7919) % 997;

		if (chunk > len - off)
			chunk = len - off;
		assert_int_equal(frame_feed(&fb, stream + off, chunk), 0);
		off += chunk;
		while (frame_next(&fb, &type, &p, &plen) == 1) {
			check_gossip(p, plen, got + 1, 100 + got * 150);
			got++;
		}
	}
	assert_int_equal(got, 20);
	frame_buf_free(&fb);
}

static void test_frame_corrupt(void **state)
{
	uint8_t bad[8] = { 0xff, 0xff, 0xff, 0xff, FR_GOSSIP, 0, 0, 0 };
	uint8_t zero_len[5] = { 0, 0, 0, 0, FR_GOSSIP };
	struct frame_buf fb = { 0 };
	const uint8_t *p;
	uint32_t plen;
	uint8_t type, big[16];

	assert_int_equal(frame_feed(&fb, bad, sizeof(bad)), 0);
	assert_int_equal(frame_next(&fb, &type, &p, &plen), -1);
	frame_buf_free(&fb);
	assert_int_equal(frame_feed(&fb, zero_len, sizeof(zero_len)), 0);
	assert_int_equal(frame_next(&fb, &type, &p, &plen), -1);
	frame_buf_free(&fb);
	/* frame_put refuses what does not fit */
	assert_int_equal(frame_put(big, sizeof(big), FR_GOSSIP, big, 100), -1);
}

static void test_gossip_and_hello(void **state)
{
	struct gossip_msg *m = calloc(1, sizeof(*m));
	uint8_t body[GOSSIP_HDR_LEN + 16], hb[HELLO_LEN];
	struct hello h = { .index = 9, .udp_port = 4009, .tcp_port = 5009, .flags = HELLO_BOOT }, h2;
	int n;

	m->id = 5;
	m->len = 16;
	n = gossip_msg_encode(m, body, sizeof(body));
	assert_int_equal(n, (int)sizeof(body));
	/* trailing bytes or a short body: not a frame we wrote */
	assert_int_equal(gossip_msg_decode(m, body, n - 1), -1);
	memset(h.id, 0xab, ID_LEN);
	assert_int_equal(hello_encode(&h, hb), HELLO_LEN);
	assert_int_equal(hello_decode(&h2, hb, HELLO_LEN), 0);
	assert_memory_equal(h2.id, h.id, ID_LEN);
	assert_int_equal(h2.index, 9);
	assert_int_equal(h2.udp_port, 4009);
	assert_int_equal(h2.tcp_port, 5009);
	assert_int_equal(h2.flags, HELLO_BOOT);
	assert_int_equal(hello_decode(&h2, hb, HELLO_LEN - 1), -1);
	free(m);
}

static void test_fnv1a(void **state)
{
	assert_int_equal(fnv1a((const uint8_t *)"", 0), 0x811c9dc5u);
	assert_int_equal(fnv1a((const uint8_t *)"a", 1), 0xe40c292cu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dht_roundtrip),
		cmocka_unit_test(test_dht_rejects),
		cmocka_unit_test(test_frame_whole_and_two),
		cmocka_unit_test(test_frame_partial_reads),
		cmocka_unit_test(test_frame_chunked_stream),
		cmocka_unit_test(test_frame_corrupt),
		cmocka_unit_test(test_gossip_and_hello),
		cmocka_unit_test(test_fnv1a),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
