// SPDX-License-Identifier: MIT
/*
 * pprof writing; see pprof.h and docs/format.md.  The reader is pprof.c.
 *
 * The protobuf wire format is written by hand (a varint coder,
 * length-delimited fields, packed repeated scalars) straight from the
 * profile model: no message tree is built next to it, which is why it beat
 * code generated from profile.proto on time and memory (bench/pprof-codec).
 */
#include "format/pprof.h"
#include "format/pprof-int.h"
#include "core/profile.h"
#include "core/out-file.h"
#include "core/records.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

/*
 * gzip level: 1 is 3-5x faster than the default 6 on this data and the
 * output only ~20 % larger; recordings are written once per run and large
 * ones are where the time goes.
 */
#define PPROF_GZIP_LEVEL 1
/* ================= encoder ================= */

static inline void pb_varint_raw(struct pbuf *pb, uint64_t v)
{
	unsigned char *o;

	if (!pb_reserve(pb, 10))
		return;
	o = pb->b + pb->len;
	while (v >= 0x80) {
		*o++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*o++ = (unsigned char)v;
	pb->len = o - pb->b;
}

static inline void pb_tag(struct pbuf *pb, uint32_t field, int wt)
{
	pb_varint_raw(pb, ((uint64_t)field << 3) | wt);
}

/* A scalar field; zero is the proto3 default and is left out. */
static inline void pb_uint(struct pbuf *pb, uint32_t field, uint64_t v)
{
	if (!v)
		return;
	pb_tag(pb, field, WT_VARINT);
	pb_varint_raw(pb, v);
}

static void pb_bytes(struct pbuf *pb, uint32_t field, const void *data, size_t len)
{
	pb_tag(pb, field, WT_LEN);
	pb_varint_raw(pb, len);
	if (len && pb_reserve(pb, len)) {
		memcpy(pb->b + pb->len, data, len);
		pb->len += len;
	}
}

/* An embedded message from a scratch buffer, which is then emptied. */
static void pb_sub(struct pbuf *pb, uint32_t field, struct pbuf *sub)
{
	if (sub->err) {
		pb->err = sub->err;
		return;
	}
	pb_bytes(pb, field, sub->b, sub->len);
	sub->len = 0;
}

static uint32_t w_add_string(struct wctx *w, char *s)
{
	if (w->nr_extra == w->cap_extra) {
		uint32_t ncap = w->cap_extra ? w->cap_extra * 2 : 16;
		char **ne = realloc(w->extra, ncap * sizeof(*ne));

		if (!ne)
			return 0;
		w->extra = ne;
		w->cap_extra = ncap;
	}
	w->extra[w->nr_extra] = s;
	return w->p->nr_strings + w->nr_extra++;
}

const char *pprof__w_str(const struct wctx *w, uint32_t id)
{
	if (id < w->p->nr_strings)
		return w->p->strings[id];
	return w->extra[id - w->p->nr_strings];
}

void pprof__w_free(struct wctx *w)
{
	uint32_t i;

	for (i = 0; i < w->nr_extra; i++)
		free(w->extra[i]);
	free(w->extra);
	free(w->comment_ids);
	free(w->map_out);
	free(w->map_order);
}

bool pprof__is_kernel_mapping(const struct profile *p, uint32_t m)
{
	return m && m < p->nr_mappings &&
	       !strcmp(profile__str(p, p->mappings[m].filename), PF_KERNEL_MODULE);
}

static bool looks_like_library(const char *path)
{
	const char *b = strrchr(path, '/');

	b = b ? b + 1 : path;
	return !*b || *b == '[' || strstr(b, ".so") != NULL;
}

/*
 * pprof wants the main binary as mapping[0].  Preference: the mapping named
 * by the meta record's exe= field; else, of the first pid seen in a user
 * location, its first mapping that does not look like a shared library;
 * else the first user mapping; else mapping 1.
 */
static uint32_t pick_main_mapping(const struct profile *p)
{
	uint32_t i, pid = 0, fallback = 0;

	struct rec_meta meta;

	for (uint32_t pos = 0; records__next_meta(p, &pos, &meta);) {
		if (!meta.exe || !*meta.exe)
			continue;
		for (i = 1; i < p->nr_mappings; i++)
			if (!strcmp(profile__str(p, p->mappings[i].filename), meta.exe))
				return i;
	}
	for (i = 1; i < p->nr_locations; i++) {
		const struct pf_location *l = &p->locations[i];

		if (l->kernel || !l->mapping || pprof__is_kernel_mapping(p, l->mapping))
			continue;
		if (!fallback)
			fallback = l->mapping;
		if (!pid && l->pid)
			pid = l->pid;
		if (pid && l->pid == pid &&
		    !looks_like_library(profile__str(p, p->mappings[l->mapping].filename))) {
			/* The first mapping (lowest start) of that file. */
			uint32_t best = l->mapping, j;
			uint32_t fname = p->mappings[best].filename;

			for (j = 1; j < p->nr_mappings; j++)
				if (p->mappings[j].filename == fname &&
				    p->mappings[j].start < p->mappings[best].start)
					best = j;
			return best;
		}
	}
	if (fallback)
		return fallback;
	for (i = 1; i < p->nr_mappings; i++)
		if (!pprof__is_kernel_mapping(p, i))
			return i;
	return p->nr_mappings > 1 ? 1 : 0;
}

int pprof__w_prepare(struct wctx *w)
{
	const struct profile *p = w->p;
	uint32_t i, main_map, n = 0, kernel_map = 0;
	bool need_kernel = false;

	w->comment_ids = calloc((size_t)p->nr_records + p->nr_comments + 2, sizeof(uint32_t));
	w->map_out = calloc(p->nr_mappings, sizeof(uint32_t));
	w->map_order = calloc(p->nr_mappings + 1, sizeof(uint32_t));
	if (!w->comment_ids || !w->map_out || !w->map_order)
		return -ENOMEM;
	/* Records first, so that a reader sees meta before free text. */
	for (i = 0; i < p->nr_records + 1 && p->nr_records; i++) {
		/* the version of their encoding before them */
		char *s = i ? records__encode(p, &p->records[i - 1]) : records__encode_version();

		if (!s)
			return -ENOMEM;
		w->comment_ids[w->nr_comment_ids] = w_add_string(w, s);
		if (!w->comment_ids[w->nr_comment_ids++]) {
			free(s);
			return -ENOMEM;
		}
	}
	for (i = 0; i < p->nr_comments; i++)
		if (p->comments[i] && p->comments[i] < p->nr_strings)
			w->comment_ids[w->nr_comment_ids++] = p->comments[i];

	main_map = pick_main_mapping(p);
	if (main_map) {
		w->map_order[n++] = main_map;
		w->map_out[main_map] = n;
	}
	for (i = 1; i < p->nr_mappings; i++) {
		if (i == main_map)
			continue;
		w->map_order[n++] = i;
		w->map_out[i] = n;
		if (!kernel_map && pprof__is_kernel_mapping(p, i))
			kernel_map = i;
	}
	w->nr_out_maps = n;
	/* Kernel frames are told apart by their mapping's name. */
	for (i = 1; i < p->nr_locations && !need_kernel; i++)
		if (p->locations[i].kernel && !pprof__is_kernel_mapping(p, p->locations[i].mapping))
			need_kernel = true;
	if (kernel_map) {
		w->kernel_map_out = w->map_out[kernel_map];
	} else if (need_kernel) {
		if (!profile__find_str(p, PF_KERNEL_MODULE, &w->kernel_str)) {
			/* every extra string is the writer's own, freed alike */
			char *name = strdup(PF_KERNEL_MODULE);

			w->kernel_str = name ? w_add_string(w, name) : 0;
			if (!w->kernel_str) {
				free(name);
				return -ENOMEM;
			}
		}
		w->map_order[n++] = 0;
		w->nr_out_maps = n;
		w->kernel_map_out = n;
	}
	return 0;
}

static void put_value_type(struct pbuf *pb, struct pbuf *sub, uint32_t field, uint32_t type,
			   uint32_t unit)
{
	pb_uint(sub, VALUETYPE_TYPE, type);
	pb_uint(sub, VALUETYPE_UNIT, unit);
	pb_sub(pb, field, sub);
}

static void put_samples(struct pbuf *pb, struct pbuf *sub, struct pbuf *pk, const struct wctx *w)
{
	const struct profile *p = w->p;
	struct pbuf lb = { 0 };
	uint32_t i, j;

	for (i = 0; i < p->nr_samples && !pb->err; i++) {
		const struct pf_sample *s = &p->samples[i];
		const struct pf_stack *st = &p->stacks[s->stack];
		const int64_t *v = profile__sample_values(p, i);

		if (st->nr) {
			for (j = 0; j < st->nr; j++)
				pb_varint_raw(pk, st->locs[j]);
			pb_sub(sub, SAMPLE_LOCATION_ID, pk);
		}
		if (p->nr_types) {
			for (j = 0; j < p->nr_types; j++)
				pb_varint_raw(pk, (uint64_t)v[j]);
			pb_sub(sub, SAMPLE_VALUE, pk);
		}
		if (s->labelset) {
			const struct pf_labelset *ls = &p->labelsets[s->labelset];

			for (j = 0; j < ls->nr; j++) {
				const struct pf_label *l = &ls->labels[j];

				pb_uint(&lb, LABEL_KEY, l->key);
				if (l->str) {
					pb_uint(&lb, LABEL_STR, l->str);
				} else {
					pb_uint(&lb, LABEL_NUM, (uint64_t)l->num);
					pb_uint(&lb, LABEL_NUM_UNIT, l->unit);
				}
				pb_sub(sub, SAMPLE_LABEL, &lb);
			}
		}
		pb_sub(pb, PROFILE_SAMPLE, sub);
	}
	if (lb.err)
		pb->err = lb.err;
	free(lb.b);
}

static void put_tables(struct pbuf *pb, struct pbuf *sub, struct pbuf *pk, const struct wctx *w)
{
	const struct profile *p = w->p;
	uint32_t i, j;

	for (i = 0; i < w->nr_out_maps; i++) {
		uint32_t m = w->map_order[i];

		pb_uint(sub, MAPPING_ID, i + 1);
		if (m) {
			const struct pf_mapping *mp = &p->mappings[m];

			pb_uint(sub, MAPPING_START, mp->start);
			pb_uint(sub, MAPPING_LIMIT, mp->limit);
			pb_uint(sub, MAPPING_OFFSET, mp->offset);
			pb_uint(sub, MAPPING_FILENAME, mp->filename);
			pb_uint(sub, MAPPING_BUILD_ID, mp->build_id);
			pb_uint(sub, MAPPING_HAS_FUNCTIONS, mp->has_functions);
		} else {
			pb_uint(sub, MAPPING_FILENAME, w->kernel_str);
		}
		pb_sub(pb, PROFILE_MAPPING, sub);
	}
	for (i = 1; i < p->nr_locations && !pb->err; i++) {
		const struct pf_location *l = &p->locations[i];
		uint32_t m = l->mapping < p->nr_mappings ? w->map_out[l->mapping] : 0;

		if (l->kernel && !pprof__is_kernel_mapping(p, l->mapping))
			m = w->kernel_map_out;
		pb_uint(sub, LOCATION_ID, i);
		pb_uint(sub, LOCATION_MAPPING_ID, m);
		pb_uint(sub, LOCATION_ADDRESS, l->address);
		for (j = 0; j < l->nr_lines; j++) {
			pb_uint(pk, LINE_FUNCTION_ID, l->lines[j].function);
			pb_uint(pk, LINE_LINE, (uint64_t)l->lines[j].line);
			pb_sub(sub, LOCATION_LINE, pk);
		}
		pb_sub(pb, PROFILE_LOCATION, sub);
	}
	for (i = 1; i < p->nr_functions && !pb->err; i++) {
		const struct pf_function *f = &p->functions[i];

		pb_uint(sub, FUNCTION_ID, i);
		pb_uint(sub, FUNCTION_NAME, f->name);
		pb_uint(sub, FUNCTION_SYSTEM_NAME, f->system_name);
		pb_uint(sub, FUNCTION_FILENAME, f->filename);
		pb_uint(sub, FUNCTION_START_LINE, (uint64_t)f->start_line);
		pb_sub(pb, PROFILE_FUNCTION, sub);
	}
}

int pprof__encode(const struct profile *p, void **buf, size_t *len)
{
	struct wctx w = { .p = p };
	struct pbuf pb = { 0 }, sub = { 0 }, pk = { 0 };
	uint32_t i, total_strings;
	int err;

	if (!p || !buf || !len)
		return -EINVAL;
	err = pprof__w_prepare(&w);
	if (err)
		goto out_free;

	for (i = 0; i < p->nr_types; i++)
		put_value_type(&pb, &sub, PROFILE_SAMPLE_TYPE, p->types[i].type, p->types[i].unit);
	put_samples(&pb, &sub, &pk, &w);
	put_tables(&pb, &sub, &pk, &w);
	total_strings = p->nr_strings + w.nr_extra;
	for (i = 0; i < total_strings; i++) {
		const char *s = pprof__w_str(&w, i);

		pb_bytes(&pb, PROFILE_STRING_TABLE, s, strlen(s));
	}
	pb_uint(&pb, PROFILE_TIME_NANOS, (uint64_t)p->time_nanos);
	pb_uint(&pb, PROFILE_DURATION_NANOS, (uint64_t)p->duration_nanos);
	if (p->period_type.type || p->period_type.unit)
		put_value_type(&pb, &sub, PROFILE_PERIOD_TYPE, p->period_type.type,
			       p->period_type.unit);
	pb_uint(&pb, PROFILE_PERIOD, (uint64_t)p->period);
	if (w.nr_comment_ids) {
		for (i = 0; i < w.nr_comment_ids; i++)
			pb_varint_raw(&pk, w.comment_ids[i]);
		if (pk.err)
			pb.err = pk.err;
		pb_sub(&pb, PROFILE_COMMENT, &pk);
	}
	if (p->default_type >= 0 && (uint32_t)p->default_type < p->nr_types)
		pb_uint(&pb, PROFILE_DEFAULT_SAMPLE_TYPE, p->types[p->default_type].type);

	err = pb.err ? pb.err : sub.err ? sub.err : pk.err;
	if (err)
		goto out_free;
	/* An empty profile still has its string table entry 0. */
	*buf = pb.b;
	*len = pb.len;
	pb.b = NULL;
out_free:
	free(pb.b);
	free(sub.b);
	free(pk.b);
	pprof__w_free(&w);
	return err;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *b = buf;

	while (len) {
		ssize_t n = write(fd, b, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		b += n;
		len -= n;
	}
	return 0;
}

/* gzip buf into out (out == NULL: write to fd). */
static int gzip_buf(const void *buf, size_t len, int fd, struct pbuf *out)
{
	unsigned char chunk[1 << 16];
	z_stream zs = { 0 };
	int ret, err = 0;

	if (deflateInit2(&zs, PPROF_GZIP_LEVEL, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	zs.next_in = (unsigned char *)buf;
	do {
		/* avail_in is 32-bit: feed huge buffers in slices. */
		size_t left = len - (size_t)(zs.next_in - (unsigned char *)buf);
		int flush;

		zs.avail_in = left > (1u << 30) ? (1u << 30) : (uInt)left;
		flush = left > (1u << 30) ? Z_NO_FLUSH : Z_FINISH;
		do {
			size_t have;

			zs.next_out = chunk;
			zs.avail_out = sizeof(chunk);
			ret = deflate(&zs, flush);
			if (ret == Z_STREAM_ERROR) {
				err = -EIO;
				goto out_end;
			}
			have = sizeof(chunk) - zs.avail_out;
			if (out) {
				if (pb_reserve(out, have)) {
					memcpy(out->b + out->len, chunk, have);
					out->len += have;
				}
				err = out->err;
			} else {
				err = write_all(fd, chunk, have);
			}
			if (err)
				goto out_end;
		} while (zs.avail_out == 0);
	} while (ret != Z_STREAM_END);
out_end:
	deflateEnd(&zs);
	return err;
}

/* Encodes p and gzips it to fd (out == NULL) or into out. */
static int encode_gzip(const struct profile *p, int fd, struct pbuf *out)
{
	void *raw;
	size_t rlen;
	int err;

	err = pprof__encode(p, &raw, &rlen);
	if (err)
		return err;
	err = gzip_buf(raw, rlen, fd, out);
	free(raw);
	return err;
}

int pprof__encode_gz(const struct profile *p, void **buf, size_t *len)
{
	struct pbuf out = { 0 };
	int err = encode_gzip(p, -1, &out);

	if (err) {
		free(out.b);
		return err;
	}
	*buf = out.b;
	*len = out.len;
	return 0;
}

int pprof__write_fd(const struct profile *p, int fd)
{
	return encode_gzip(p, fd, NULL);
}

int pprof__write(const struct profile *p, const char *path)
{
	struct out_file o;
	int err;

	if (!p || !path || !*path)
		return -EINVAL;
	/* a fresh file next to path, renamed over it when complete */
	err = out_file__open(&o, path);
	if (err)
		return err;
	err = pprof__write_fd(p, fileno(o.f));
	return out_file__close(&o, !err) ?: err;
}
