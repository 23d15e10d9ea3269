// SPDX-License-Identifier: MIT
/*
 * pprof reading; see pprof.h and docs/format.md.  The writer is
 * pprof-write.c; the wire-format primitives are pprof-wire.h.
 *
 * The protobuf wire format is parsed by hand, packed and unpacked repeated
 * scalars alike, fields read in place from the buffer (code generated from
 * profile.proto would unpack a whole message tree first: twice the memory,
 * bench/pprof-codec).  The decoder trusts nothing: every length is checked
 * against the buffer, every id and string index against its table, and any
 * inconsistency is -EBADMSG.
 */
#include "format/pprof.h"
#include "format/pprof-int.h"
#include "format/pprof-wire.h"
#include "core/profile.h"
#include "core/array.h"
#include "core/records.h"
#include "core/hashmap.h"
#include "core/input-limits.h"
#include "format/recording.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define PPROF_MAX_INFLATED RECORDING_MAX_BYTES

/* ================= decoder ================= */

int pprof__idmap_init(struct idmap *m, size_t n)
{
	m->nr_dense = (uint64_t)n + 1;
	m->dense = calloc(m->nr_dense, sizeof(uint32_t));
	m->sparse = hashmap__new(NULL, NULL);
	return m->dense && m->sparse ? 0 : -ENOMEM;
}

void pprof__idmap_free(struct idmap *m)
{
	free(m->dense);
	hashmap__free(m->sparse);
}

/* -EBADMSG for id 0 or a duplicate id. */
int pprof__idmap_set(struct idmap *m, uint64_t id, uint32_t ours)
{
	uint32_t got;
	int ret;

	if (!id || !ours)
		return id ? -ENOMEM : -EBADMSG;
	if (id < m->nr_dense) {
		if (m->dense[id])
			return -EBADMSG;
		m->dense[id] = ours;
		return 0;
	}
	ret = hashmap__find_or_insert(m->sparse, &id, sizeof(id), ours, &got);
	if (ret < 0)
		return ret;
	return ret ? 0 : -EBADMSG;
}

/* Our id, or 0 when the file never defined id. */
uint32_t pprof__idmap_get(const struct idmap *m, uint64_t id)
{
	if (id < m->nr_dense)
		return m->dense[id];
	return hashmap__find(m->sparse, &id, sizeof(id));
}

struct rctx {
	struct profile *p;
	struct slices strings, samples, mappings, locations, functions, types;
	struct u64vec comments, u1, u2;
	uint32_t *str;           /* file string index -> our string id */
	uint64_t default_type;
	uint64_t period_type_type, period_type_unit;
	bool has_period_type;
	int col[PF_MAX_TYPES];
	uint32_t nr_cols;
	struct idmap maps, fns, locs;
	uint8_t *kernel_map;     /* per our mapping id */
};

/* Our string id for a file string index. */
static int rstr(const struct rctx *c, uint64_t idx, uint32_t *out)
{
	if (idx >= c->strings.n)
		return -EBADMSG;
	*out = c->str[idx];
	return 0;
}

static int rd_value_type(const struct slice *s, uint64_t *type, uint64_t *unit)
{
	uint64_t v[VALUETYPE_UNIT + 1] = { 0 };
	int err = rd_varints(s->data, s->len, v, VALUETYPE_TYPE, VALUETYPE_UNIT);

	*type = v[VALUETYPE_TYPE];
	*unit = v[VALUETYPE_UNIT];
	return err;
}

static int rd_top(struct rctx *c, const unsigned char *buf, size_t len)
{
	struct pb_rd r = { buf, buf + len };
	struct pb_field f;
	int err = 0;

	while (r.p < r.end) {
		err = rd_field(&r, &f);
		if (err)
			return err;
		switch (f.num) {
		case PROFILE_SAMPLE_TYPE:
		case PROFILE_SAMPLE:
		case PROFILE_MAPPING:
		case PROFILE_LOCATION:
		case PROFILE_FUNCTION:
		case PROFILE_STRING_TABLE: {
			struct slices *dst[] = {
				[PROFILE_SAMPLE_TYPE] = &c->types,
				[PROFILE_SAMPLE] = &c->samples,
				[PROFILE_MAPPING] = &c->mappings,
				[PROFILE_LOCATION] = &c->locations,
				[PROFILE_FUNCTION] = &c->functions,
				[PROFILE_STRING_TABLE] = &c->strings,
			};

			if (f.wt != WT_LEN)
				return -EBADMSG;
			err = slices_push(dst[f.num], f.data, f.len);
			break;
		}
		case PROFILE_TIME_NANOS:
			err = want_varint(&f, (uint64_t *)&c->p->time_nanos);
			break;
		case PROFILE_DURATION_NANOS:
			err = want_varint(&f, (uint64_t *)&c->p->duration_nanos);
			break;
		case PROFILE_PERIOD_TYPE: {
			struct slice s = { f.data, f.len };

			if (f.wt != WT_LEN)
				return -EBADMSG;
			err = rd_value_type(&s, &c->period_type_type, &c->period_type_unit);
			c->has_period_type = true;
			break;
		}
		case PROFILE_PERIOD:
			err = want_varint(&f, (uint64_t *)&c->p->period);
			break;
		case PROFILE_COMMENT:
			err = rd_repeated(&f, &c->comments);
			break;
		case PROFILE_DEFAULT_SAMPLE_TYPE:
			err = want_varint(&f, &c->default_type);
			break;
		default:
			/* drop_frames, keep_frames, doc_url, future fields. */
			break;
		}
		if (err)
			return err;
	}
	return 0;
}

static int rd_strings(struct rctx *c)
{
	size_t i;

	/* pprof requires string_table[0] == "" (and so a table at all). */
	if (!c->strings.n || c->strings.s[0].len)
		return -EBADMSG;
	c->str = calloc(c->strings.n, sizeof(uint32_t));
	if (!c->str)
		return -ENOMEM;
	for (i = 1; i < c->strings.n; i++) {
		const struct slice *s = &c->strings.s[i];

		if (!s->len)
			continue;
		c->str[i] = profile__intern_len(c->p, (const char *)s->data, s->len);
		if (!c->str[i])
			return -ENOMEM;
	}
	return 0;
}

static int rd_types(struct rctx *c)
{
	size_t i;
	int err;

	if (c->types.n > PF_MAX_TYPES)
		return -ENOSPC;
	for (i = 0; i < c->types.n; i++) {
		uint64_t t, u;
		uint32_t ts, us;

		err = rd_value_type(&c->types.s[i], &t, &u);
		if (err || (err = rstr(c, t, &ts)) || (err = rstr(c, u, &us)))
			return err;
		if (!ts)
			return -EBADMSG;
		c->col[i] = profile__add_type(c->p, profile__str(c->p, ts), profile__str(c->p, us));
		if (c->col[i] < 0)
			return c->col[i];
	}
	c->nr_cols = (uint32_t)c->types.n;
	if (c->default_type) {
		uint32_t ds;

		err = rstr(c, c->default_type, &ds);
		if (err)
			return err;
		c->p->default_type = profile__type_index(c->p, profile__str(c->p, ds));
	}
	if (c->has_period_type) {
		err = rstr(c, c->period_type_type, &c->p->period_type.type);
		if (!err)
			err = rstr(c, c->period_type_unit, &c->p->period_type.unit);
		if (err)
			return err;
	}
	return 0;
}

/*
 * A table of messages whose fields are all scalars and whose field 1 is
 * the file's id (functions, mappings): each message's fields 1..last into
 * v, one entry added to the model by add, the file id mapped to ours.
 */
#define TABLE_MAX_FIELD 10
typedef int (*rd_entry_fn)(struct rctx *c, const uint64_t *v, uint32_t *ours);

static int rd_table(struct rctx *c, const struct slices *msgs, struct idmap *ids, uint32_t last,
		    rd_entry_fn add)
{
	size_t i;
	int err;

	err = pprof__idmap_init(ids, msgs->n);
	if (err)
		return err;
	for (i = 0; i < msgs->n; i++) {
		const struct slice *s = &msgs->s[i];
		uint64_t v[TABLE_MAX_FIELD + 1] = { 0 };
		uint32_t id;

		err = rd_varints(s->data, s->len, v, 1, last);
		if (err || (err = add(c, v, &id)))
			return err;
		err = pprof__idmap_set(ids, v[1], id);
		if (err)
			return err;
	}
	return 0;
}

static int rd_function(struct rctx *c, const uint64_t *v, uint32_t *ours)
{
	uint32_t name, sys, file;
	int err;

	if ((err = rstr(c, v[FUNCTION_NAME], &name)) ||
	    (err = rstr(c, v[FUNCTION_SYSTEM_NAME], &sys)) ||
	    (err = rstr(c, v[FUNCTION_FILENAME], &file)))
		return err;
	*ours = profile__intern_function_full(c->p, name, sys, file,
					      (int64_t)v[FUNCTION_START_LINE]);
	return 0;
}

/* Fields past has_functions (has_filenames...) are read only to be checked. */
static int rd_mapping(struct rctx *c, const uint64_t *v, uint32_t *ours)
{
	struct pf_mapping m = { 0 };
	uint32_t id;
	int err;

	m.start = v[MAPPING_START];
	m.limit = v[MAPPING_LIMIT];
	m.offset = v[MAPPING_OFFSET];
	m.has_functions = v[MAPPING_HAS_FUNCTIONS] != 0;
	if ((err = rstr(c, v[MAPPING_FILENAME], &m.filename)) ||
	    (err = rstr(c, v[MAPPING_BUILD_ID], &m.build_id)))
		return err;
	id = profile__add_mapping(c->p, &m);
	if (id && id < c->mappings.n + c->p->nr_mappings + 1)
		c->kernel_map[id] = !strcmp(profile__str(c->p, m.filename), PF_KERNEL_MODULE);
	*ours = id;
	return 0;
}

static int rd_functions(struct rctx *c)
{
	return rd_table(c, &c->functions, &c->fns, FUNCTION_START_LINE, rd_function);
}

static int rd_mappings(struct rctx *c)
{
	c->kernel_map = calloc(c->mappings.n + c->p->nr_mappings + 1, 1);
	if (!c->kernel_map)
		return -ENOMEM;
	return rd_table(c, &c->mappings, &c->maps, TABLE_MAX_FIELD, rd_mapping);
}

static int rd_line(struct rctx *c, const struct pb_field *lf, struct pf_line *out, bool *keep)
{
	uint64_t v[LINE_LINE + 1] = { 0 };
	uint64_t fn, line;
	int err;

	err = rd_varints(lf->data, lf->len, v, LINE_FUNCTION_ID, LINE_LINE);
	if (err)
		return err;
	fn = v[LINE_FUNCTION_ID];
	line = v[LINE_LINE];
	/* A line without a function says nothing we can use (pprof allows it). */
	*keep = fn != 0;
	if (!fn)
		return 0;
	out->function = pprof__idmap_get(&c->fns, fn);
	out->line = (int64_t)line;
	return out->function ? 0 : -EBADMSG;
}

static int rd_locations(struct rctx *c)
{
	struct pf_line *lines = NULL;
	size_t i, cap = 0;
	int err;

	err = pprof__idmap_init(&c->locs, c->locations.n);
	if (err)
		return err;
	for (i = 0; i < c->locations.n; i++) {
		const struct slice *s = &c->locations.s[i];
		struct pb_rd r = { s->data, s->data + s->len };
		uint64_t id = 0, map = 0, addr = 0;
		uint32_t nr = 0, mid = 0, ours;
		struct pb_field f;

		while (r.p < r.end) {
			err = rd_field(&r, &f);
			if (err)
				goto out_free;
			switch (f.num) {
			case LOCATION_ID:
				err = want_varint(&f, &id);
				break;
			case LOCATION_MAPPING_ID:
				err = want_varint(&f, &map);
				break;
			case LOCATION_ADDRESS:
				err = want_varint(&f, &addr);
				break;
			case LOCATION_LINE: {
				bool keep;

				if (f.wt != WT_LEN) {
					err = -EBADMSG;
					break;
				}
				err = ARRAY_ROOM(lines, nr, cap, 8);
				if (err)
					break;
				err = rd_line(c, &f, &lines[nr], &keep);
				if (!err && keep)
					nr++;
				break;
			}
			default:
				break;
			}
			if (err)
				goto out_free;
		}
		if (map) {
			mid = pprof__idmap_get(&c->maps, map);
			if (!mid) {
				err = -EBADMSG;
				goto out_free;
			}
		}
		ours = profile__intern_location(c->p, mid && c->kernel_map[mid], addr, mid,
						lines, nr);
		err = pprof__idmap_set(&c->locs, id, ours);
		if (err)
			goto out_free;
	}
out_free:
	free(lines);
	return err;
}

static int rd_label(struct rctx *c, const struct pb_field *lf, struct pf_label *l)
{
	uint64_t v[LABEL_NUM_UNIT + 1] = { 0 };
	int err;

	if (lf->wt != WT_LEN)
		return -EBADMSG;
	err = rd_varints(lf->data, lf->len, v, LABEL_KEY, LABEL_NUM_UNIT);
	if (err)
		return err;
	memset(l, 0, sizeof(*l));
	if ((err = rstr(c, v[LABEL_KEY], &l->key)) || (err = rstr(c, v[LABEL_STR], &l->str)) ||
	    (err = rstr(c, v[LABEL_NUM_UNIT], &l->unit)))
		return err;
	if (!l->key)
		return -EBADMSG;
	l->num = (int64_t)v[LABEL_NUM];
	return 0;
}

static int rd_samples(struct rctx *c)
{
	struct pf_label *labels = NULL;
	uint32_t *locs = NULL;
	size_t i, lcap = 0, loccap = 0;
	int idx[PF_MAX_TYPES];
	int64_t vals[PF_MAX_TYPES];
	uint32_t j;
	int err = 0;

	for (j = 0; j < c->nr_cols; j++)
		idx[j] = c->col[j];
	for (i = 0; i < c->samples.n; i++) {
		const struct slice *s = &c->samples.s[i];
		struct pb_rd r = { s->data, s->data + s->len };
		uint32_t nl = 0, st, ls = 0;
		struct pb_field f;

		c->u1.n = c->u2.n = 0;
		while (r.p < r.end) {
			err = rd_field(&r, &f);
			if (err)
				goto out_free;
			if (f.num == SAMPLE_LOCATION_ID) {
				err = rd_repeated(&f, &c->u1);
			} else if (f.num == SAMPLE_VALUE) {
				err = rd_repeated(&f, &c->u2);
			} else if (f.num == SAMPLE_LABEL) {
				err = ARRAY_ROOM(labels, nl, lcap, 8);
				if (err)
					goto out_free;
				err = rd_label(c, &f, &labels[nl++]);
			}
			if (err)
				goto out_free;
		}
		/* One value per sample type, as pprof requires. */
		if (c->u2.n != c->nr_cols) {
			err = -EBADMSG;
			goto out_free;
		}
		if (c->u1.n > LIMIT_STACK_DEPTH) {
			err = limit__exceeded("frames in a stack", c->u1.n, LIMIT_STACK_DEPTH);
			goto out_free;
		}
		if (c->u1.n > loccap) {
			uint32_t *n = realloc(locs, c->u1.n * sizeof(*n));

			if (!n) {
				err = -ENOMEM;
				goto out_free;
			}
			locs = n;
			loccap = c->u1.n;
		}
		for (j = 0; j < c->u1.n; j++) {
			locs[j] = pprof__idmap_get(&c->locs, c->u1.v[j]);
			if (!locs[j]) {
				err = -EBADMSG;
				goto out_free;
			}
		}
		for (j = 0; j < c->nr_cols; j++)
			vals[j] = (int64_t)c->u2.v[j];
		err = -ENOMEM;
		st = profile__intern_stack(c->p, locs, (uint32_t)c->u1.n);
		if (!st)
			goto out_free;
		if (nl && !(ls = profile__intern_label_ids(c->p, labels, nl)))
			goto out_free;
		err = profile__add_values(c->p, st, ls, idx, vals, c->nr_cols);
		if (err < 0)
			goto out_free;
		err = 0;
	}
out_free:
	free(labels);
	free(locs);
	return err;
}

static int rd_comments(struct rctx *c)
{
	struct records_reader rd = RECORDS_READER_INIT;
	size_t i;
	int err;

	for (i = 0; i < c->comments.n; i++) {
		uint32_t id;

		err = rstr(c, c->comments.v[i], &id);
		if (err)
			return err;
		if (!id)
			continue;
		err = records__decode(c->p, &rd, profile__str(c->p, id));
		if (err == 0)
			err = profile__add_comment(c->p, profile__str(c->p, id));
		if (err < 0)
			return err;
	}
	return 0;
}

static int decode_plain(struct profile *p, const unsigned char *buf, size_t len)
{
	struct rctx c = { .p = p };
	int err;

	err = rd_top(&c, buf, len);
	if (!err)
		err = rd_strings(&c);
	if (!err)
		err = rd_types(&c);
	if (!err)
		err = rd_functions(&c);
	if (!err)
		err = rd_mappings(&c);
	if (!err)
		err = rd_locations(&c);
	if (!err)
		err = rd_samples(&c);
	if (!err)
		err = rd_comments(&c);

	free(c.strings.s);
	free(c.samples.s);
	free(c.mappings.s);
	free(c.locations.s);
	free(c.functions.s);
	free(c.types.s);
	free(c.comments.v);
	free(c.u1.v);
	free(c.u2.v);
	free(c.str);
	free(c.kernel_map);
	pprof__idmap_free(&c.maps);
	pprof__idmap_free(&c.fns);
	pprof__idmap_free(&c.locs);
	return err;
}

static int gunzip(const unsigned char *buf, size_t len, unsigned char **out, size_t *out_len)
{
	z_stream zs = { 0 };
	struct pbuf o = { 0 };
	size_t room;
	int ret, err = 0;

	if (inflateInit2(&zs, 15 + 32) != Z_OK)
		return -ENOMEM;
	zs.next_in = (unsigned char *)buf;
	for (;;) {
		size_t left = len - (size_t)(zs.next_in - buf);

		zs.avail_in = left > (1u << 30) ? (1u << 30) : (uInt)left;
		if (!pb_reserve(&o, o.cap - o.len < 65536 ? (o.cap ? o.cap : 1 << 20) : 1)) {
			err = -ENOMEM;
			break;
		}
		zs.next_out = o.b + o.len;
		/* Never inflate more than one byte past the bound (a gzip bomb). */
		room = o.cap - o.len;
		if (room > PPROF_MAX_INFLATED + 1 - o.len)
			room = PPROF_MAX_INFLATED + 1 - o.len;
		zs.avail_out = room > (1u << 30) ? (1u << 30) : (uInt)room;
		{
			uInt before = zs.avail_out;

			ret = inflate(&zs, Z_NO_FLUSH);
			o.len += before - zs.avail_out;
		}
		if (o.len > PPROF_MAX_INFLATED) {
			err = limit__exceeded("bytes of inflated recording", o.len, PPROF_MAX_INFLATED);
			break;
		}
		if (ret == Z_STREAM_END) {
			left = len - (size_t)(zs.next_in - buf);
			/* Concatenated gzip members are one stream (RFC 1952). */
			if (left >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b) {
				inflateReset(&zs);
				continue;
			}
			if (left)
				err = -EBADMSG;
			break;
		}
		if (ret == Z_MEM_ERROR) {
			err = -ENOMEM;
			break;
		}
		if (ret != Z_OK && ret != Z_BUF_ERROR) {
			err = -EBADMSG;
			break;
		}
		/* Out of input before the end of the stream: truncated. */
		if (ret == Z_BUF_ERROR && zs.avail_in == 0 &&
		    len == (size_t)(zs.next_in - buf)) {
			err = -EBADMSG;
			break;
		}
	}
	inflateEnd(&zs);
	if (err) {
		free(o.b);
		return err;
	}
	*out = o.b;
	*out_len = o.len;
	return 0;
}

static bool profile_is_empty(const struct profile *p)
{
	return p->nr_strings <= 1 && p->nr_types == 0 && p->nr_mappings <= 1 &&
	       p->nr_locations <= 1 && p->nr_stacks <= 1 && p->nr_samples == 0 &&
	       p->nr_records == 0 && p->nr_comments == 0 && !p->time_nanos &&
	       !p->duration_nanos && !p->period;
}

int pprof__decode(struct profile *p, const void *buf, size_t len)
{
	const unsigned char *b = buf;
	unsigned char *plain = NULL;
	struct profile *tmp;
	int err;

	if (!p || (!buf && len))
		return -EINVAL;
	if (len >= 2 && b[0] == 0x1f && b[1] == 0x8b) {
		err = gunzip(b, len, &plain, &len);
		if (err)
			return err;
		b = plain;
	}
	/* Into a fresh profile: on error, p is left untouched. */
	tmp = profile__new();
	if (!tmp) {
		err = -ENOMEM;
		goto out_free;
	}
	err = decode_plain(tmp, b, len);
	if (err)
		goto out_free;
	if (profile_is_empty(p))
		profile__swap(p, tmp);
	else
		err = profile__merge(p, tmp);
out_free:
	profile__free(tmp);
	free(plain);
	return err;
}

int pprof__read_fd(struct profile *p, int fd)
{
	char *buf;
	size_t len;
	int err;

	err = recording__slurp_fd(fd, &buf, &len);
	if (err)
		return err;
	err = pprof__decode(p, buf, len);
	free(buf);
	return err;
}

int pprof__read(struct profile *p, const char *path)
{
	int fd, err;

	if (!p || !path || !*path)
		return -EINVAL;
	if (!strcmp(path, "-"))
		return pprof__read_fd(p, STDIN_FILENO);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = pprof__read_fd(p, fd);
	close(fd);
	return err;
}
