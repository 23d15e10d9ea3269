/* SPDX-License-Identifier: MIT */
/*
 * Reading the protobuf wire format in place: varints, fields (number, wire
 * type, payload), scalar messages, repeated scalars packed or not, and the
 * growing arrays the reader collects them in.  Every length is checked
 * against the buffer; any inconsistency is -EBADMSG.  Static inline: the
 * pprof reader (pprof.c) calls these once per field of every sample.
 */
#ifndef PEERSCOPE_PPROF_WIRE_H
#define PEERSCOPE_PPROF_WIRE_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format/pprof-int.h"
#include "core/array.h"

struct pb_rd {
	const unsigned char *p, *end;
};

static inline int rd_varint(struct pb_rd *r, uint64_t *v)
{
	uint64_t x = 0;
	int shift;

	for (shift = 0; shift < 64; shift += 7) {
		unsigned char c;

		if (r->p >= r->end)
			return -EBADMSG;
		c = *r->p++;
		if (shift == 63 && c > 1)
			return -EBADMSG;  /* more than 64 bits */
		x |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -EBADMSG;
}

/* Next field: its number, wire type and payload (varint value or bytes). */
struct pb_field {
	uint32_t num;
	int wt;
	uint64_t v;
	const unsigned char *data;
	size_t len;
};

static inline int rd_field(struct pb_rd *r, struct pb_field *f)
{
	uint64_t key;
	int err = rd_varint(r, &key);

	if (err)
		return err;
	f->num = (uint32_t)(key >> 3);
	f->wt = key & 7;
	if (!f->num || (key >> 3) > 0x1fffffff)
		return -EBADMSG;
	switch (f->wt) {
	case WT_VARINT:
		return rd_varint(r, &f->v);
	case WT_I64:
		if (r->end - r->p < 8)
			return -EBADMSG;
		memcpy(&f->v, r->p, 8);
		r->p += 8;
		return 0;
	case WT_I32:
		if (r->end - r->p < 4)
			return -EBADMSG;
		f->v = 0;
		memcpy(&f->v, r->p, 4);
		r->p += 4;
		return 0;
	case WT_LEN:
		err = rd_varint(r, &f->v);
		if (err)
			return err;
		if (f->v > (uint64_t)(r->end - r->p))
			return -EBADMSG;
		f->data = r->p;
		f->len = (size_t)f->v;
		r->p += f->len;
		return 0;
	default:
		/* Groups (3, 4) are not used by profile.proto. */
		return -EBADMSG;
	}
}

/* A scalar field must come as a varint. */
static inline int want_varint(const struct pb_field *f, uint64_t *out)
{
	if (f->wt != WT_VARINT)
		return -EBADMSG;
	*out = f->v;
	return 0;
}

/*
 * Reads a message whose fields first..last are all scalars into v[num]
 * (v must hold last + 1 entries); other fields are skipped.
 */
static inline int rd_varints(const unsigned char *data, size_t len, uint64_t *v,
			     uint32_t first, uint32_t last)
{
	struct pb_rd r = { data, data + len };
	struct pb_field f;
	int err;

	while (r.p < r.end) {
		err = rd_field(&r, &f);
		if (err)
			return err;
		if (f.num >= first && f.num <= last && (err = want_varint(&f, &v[f.num])))
			return err;
	}
	return 0;
}

/* Growable u64 vector for repeated scalars. */
struct u64vec {
	uint64_t *v;
	size_t n, cap;
};

static inline int vec_push(struct u64vec *a, uint64_t x)
{
	if (ARRAY_ROOM(a->v, a->n, a->cap, 64))
		return -ENOMEM;
	a->v[a->n++] = x;
	return 0;
}

/* A repeated scalar, packed (WT_LEN) or one value (WT_VARINT). */
static inline int rd_repeated(const struct pb_field *f, struct u64vec *out)
{
	struct pb_rd r;
	uint64_t v;
	int err;

	if (f->wt == WT_VARINT)
		return vec_push(out, f->v);
	if (f->wt != WT_LEN)
		return -EBADMSG;
	r.p = f->data;
	r.end = f->data + f->len;
	while (r.p < r.end) {
		err = rd_varint(&r, &v);
		if (err)
			return err;
		err = vec_push(out, v);
		if (err)
			return err;
	}
	return 0;
}

struct slice {
	const unsigned char *data;
	size_t len;
};

struct slices {
	struct slice *s;
	size_t n, cap;
};

static inline int slices_push(struct slices *a, const unsigned char *data, size_t len)
{
	if (ARRAY_ROOM(a->s, a->n, a->cap, 64))
		return -ENOMEM;
	a->s[a->n].data = data;
	a->s[a->n++].len = len;
	return 0;
}

#endif /* PEERSCOPE_PPROF_WIRE_H */
