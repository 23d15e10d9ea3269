// SPDX-License-Identifier: MIT
/*
 * Typed side records and their encoding in a pprof file: see records.h and
 * docs/format.md.  One table per kind, made from the field lists in
 * records.h, drives adding (struct -> key=value strings in the profile),
 * reading (strings -> struct) and the upgrade of older files.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/types.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/hist.h"
#include "core/profile.h"
#include "core/records.h"

_Static_assert(REC_LL_BUCKETS == HIST_LL_BUCKETS, "records.h and bpf/hist.h disagree");

#define RECORD_PREFIX	"peerscope:"
#define VERSION_KIND	"version"

enum rec_type { T_STR, T_U64, T_I64, T_DBL, T_HIST };

struct rec_field {
	const char *key;
	enum rec_type type;
	uint16_t off;
};

struct rec_kind_desc {
	const char *name;
	const struct rec_field *fields;
	uint32_t nr;
	size_t size;
};

#define REC_DESC_FIELD(k, type, name) { #name, T_##type, offsetof(struct rec_##k, name) },
#define REC_DESC_FIELDS(kind) \
	static const struct rec_field kind##_fields[] = { REC_##kind(REC_DESC_FIELD, kind) };
REC_KINDS(REC_DESC_FIELDS)

/* `has` is a 64-bit mask */
#define REC_FITS(kind) _Static_assert(REC_NR_##kind <= 64, #kind " has too many fields");
REC_KINDS(REC_FITS)

#define REC_DESC_KIND(kind) [REC_KIND_##kind] = { #kind, kind##_fields,			\
	sizeof(kind##_fields) / sizeof(kind##_fields[0]), sizeof(struct rec_##kind) },
static const struct rec_kind_desc kinds[REC_NR_KINDS] = { REC_KINDS(REC_DESC_KIND) };

/* The key of a field in the file: its name, but errno is a C macro. */
static const char *field_key(const struct rec_field *f)
{
	return strcmp(f->key, "errnum") ? f->key : "errno";
}

/* ---- histograms --------------------------------------------------------- */

uint32_t rec_ll_bucket(uint64_t v)
{
	return hist_ll_bucket(v);
}

uint64_t rec_ll_low(uint32_t b)
{
	return hist_ll_low(b);
}

uint64_t rec_ll_width(uint32_t b)
{
	return hist_ll_width(b);
}

void rec_buckets__add(struct rec_buckets *b, uint64_t low, uint64_t count)
{
	if (count && b->nr < REC_MAX_BUCKETS)
		b->v[b->nr++] = (struct rec_bucket){ low, count };
}

uint64_t rec_buckets__to_ll(const struct rec_buckets *b, uint64_t *counts)
{
	uint64_t sum = 0;

	for (uint32_t i = 0; i < b->nr; i++) {
		counts[rec_ll_bucket(b->v[i].low)] += b->v[i].count;
		sum += b->v[i].count;
	}
	return sum;
}

char *rec_buckets__format(const struct rec_buckets *b, char *buf, size_t len)
{
	size_t off = 0;

	if (len)
		buf[0] = '\0';
	for (uint32_t i = 0; i < b->nr && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%" PRIu64 ":%" PRIu64, i ? "," : "",
				b->v[i].low, b->v[i].count);
	return buf;
}

/* "low:count,..." until the end or the first malformed pair. */
static void buckets_parse(const char *s, struct rec_buckets *b)
{
	while (s && *s) {
		char *end;
		uint64_t low = strtoull(s, &end, 10), n;

		if (end == s || *end != ':')
			return;
		n = strtoull(end + 1, &end, 10);
		rec_buckets__add(b, low, n);
		s = *end == ',' ? end + 1 : NULL;
	}
}

/* ---- struct <-> stored strings ------------------------------------------ */

double rec_round(double v, int decimals)
{
	double scale = 1;

	while (decimals-- > 0)
		scale *= 10;
	return isfinite(v) ? round(v * scale) / scale : 0;
}

/* Shortest decimal that reads back as the same double. */
static void fmt_double(double v, char *buf, size_t len)
{
	if (!isfinite(v)) {
		snprintf(buf, len, "0");
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

#define NUM_LEN 32

/* The string of field f of rec; NULL for an absent string.  *heap if malloc()ed. */
static const char *field_str(const struct rec_field *f, const void *rec, char *num, bool *heap)
{
	const char *at = (const char *)rec + f->off;

	*heap = false;
	switch (f->type) {
	case T_STR:
		return *(const char *const *)at;
	case T_U64:
		snprintf(num, NUM_LEN, "%" PRIu64, *(const uint64_t *)at);
		return num;
	case T_I64:
		snprintf(num, NUM_LEN, "%" PRId64, *(const int64_t *)at);
		return num;
	case T_DBL:
		fmt_double(*(const double *)at, num, NUM_LEN);
		return num;
	case T_HIST: {
		const struct rec_buckets *b = (const void *)at;
		size_t len = (size_t)b->nr * 2 * (NUM_LEN - 10) + 1;
		char *s = malloc(len);

		*heap = s != NULL;
		return s ? rec_buckets__format(b, s, len) : NULL;
	}
	}
	return NULL;
}

int records__add(struct profile *p, enum rec_kind kind, const void *rec)
{
	const struct rec_kind_desc *d = &kinds[kind];
	const char *keys[64], *vals[64];
	char num[64][NUM_LEN];
	bool heap[64] = {};
	uint32_t n = 0;
	int err = 0;

	if (kind >= REC_NR_KINDS)
		return -EINVAL;
	for (uint32_t i = 0; i < d->nr; i++) {
		const struct rec_field *f = &d->fields[i];

		vals[n] = field_str(f, rec, num[n], &heap[n]);
		if (!vals[n] && f->type == T_HIST)
			err = -ENOMEM;
		if (!vals[n])
			continue;
		keys[n++] = field_key(f);
	}
	if (!err)
		err = profile__add_record_v(p, d->name, keys, vals, n);
	for (uint32_t i = 0; i < n; i++)
		if (heap[i])
			free((char *)vals[i]);
	return err;
}

static const struct rec_field *field_find(const struct rec_kind_desc *d, const char *key)
{
	for (uint32_t i = 0; i < d->nr; i++)
		if (!strcmp(field_key(&d->fields[i]), key))
			return &d->fields[i];
	return NULL;
}

/* Sets one field from its string; numbers only when there is one. */
static void field_set(const struct rec_field *f, void *rec, uint32_t bit, const char *v)
{
	char *at = (char *)rec + f->off;
	uint64_t *has = rec;	/* every rec_<kind> starts with has */

	if (f->type != T_STR && !*v)
		return;
	switch (f->type) {
	case T_STR:
		*(const char **)at = v;
		break;
	case T_U64:
		*(uint64_t *)at = strtoull(v, NULL, 10);
		break;
	case T_I64:
		*(int64_t *)at = strtoll(v, NULL, 10);
		break;
	case T_DBL:
		*(double *)at = strtod(v, NULL);
		break;
	case T_HIST:
		buckets_parse(v, (struct rec_buckets *)at);
		break;
	}
	*has |= 1ULL << bit;
}

static void decode(const struct profile *p, const struct rec_kind_desc *d,
		   const struct pf_record *r, void *rec)
{
	memset(rec, 0, d->size);
	for (uint32_t i = 0; i < r->nr_fields; i++) {
		const struct rec_field *f = field_find(d, profile__str(p, r->keys[i]));

		if (f)
			field_set(f, rec, f - d->fields, profile__str(p, r->vals[i]));
	}
}

bool records__next(const struct profile *p, enum rec_kind kind, uint32_t *pos, void *rec)
{
	uint32_t id;

	if (kind >= REC_NR_KINDS || !profile__find_str(p, kinds[kind].name, &id))
		return false;
	for (uint32_t i = *pos; i < p->nr_records; i++) {
		if (p->records[i].kind == id) {
			decode(p, &kinds[kind], &p->records[i], rec);
			*pos = i + 1;
			return true;
		}
	}
	return false;
}

int records__hist_sum(const struct profile *p, const char *path, struct rec_hist_sum *s)
{
	struct rec_hist *h = malloc(sizeof(*h));

	memset(s, 0, sizeof(*s));
	if (!h)
		return -ENOMEM;
	for (uint32_t pos = 0; records__next_hist(p, &pos, h);) {
		if (path && (!h->path || strcmp(h->path, path)))
			continue;
		s->nr++;
		s->count += h->count;
		s->errors += h->errors;
		s->unmatched += h->unmatched;
		s->sum_ns += h->sum_ns;
		if (h->max_ns > s->max_ns)
			s->max_ns = h->max_ns;
		s->in_buckets += rec_buckets__to_ll(&h->buckets, s->buckets);
	}
	free(h);
	return 0;
}

uint32_t records__count(const struct profile *p, enum rec_kind kind)
{
	uint32_t id, n = 0;

	if (kind >= REC_NR_KINDS || !profile__find_str(p, kinds[kind].name, &id))
		return 0;
	for (uint32_t i = 0; i < p->nr_records; i++)
		n += p->records[i].kind == id;
	return n;
}

/* ---- the pprof comment encoding ----------------------------------------- */

static bool esc_needed(unsigned char c)
{
	return c == ' ' || c == '%' || c == '=' || c < 0x20 || c == 0x7f;
}

static size_t esc_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += esc_needed(*s) ? 3 : 1;
	return n;
}

static char *esc_put(char *o, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = *s;

		if (esc_needed(c)) {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		} else {
			*o++ = c;
		}
	}
	return o;
}

char *records__encode(const struct profile *p, const struct pf_record *r)
{
	size_t n = sizeof(RECORD_PREFIX) + esc_len(profile__str(p, r->kind));
	uint32_t i;
	char *s, *o;

	for (i = 0; i < r->nr_fields; i++)
		n += 2 + esc_len(profile__str(p, r->keys[i])) + esc_len(profile__str(p, r->vals[i]));
	s = malloc(n);
	if (!s)
		return NULL;
	o = stpcpy(s, RECORD_PREFIX);
	o = esc_put(o, profile__str(p, r->kind));
	for (i = 0; i < r->nr_fields; i++) {
		*o++ = ' ';
		o = esc_put(o, profile__str(p, r->keys[i]));
		*o++ = '=';
		o = esc_put(o, profile__str(p, r->vals[i]));
	}
	*o = '\0';
	return s;
}

char *records__encode_version(void)
{
	char *s;

	return asprintf(&s, RECORD_PREFIX VERSION_KIND " %d", RECORDS_VERSION) < 0 ? NULL : s;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Unescapes [s, e) into out (NUL-terminated); false on a bad escape. */
static bool unesc(const char *s, const char *e, char *out)
{
	while (s < e) {
		if (*s == '%') {
			int hi, lo;

			if (e - s < 3 || (hi = hexval(s[1])) < 0 || (lo = hexval(s[2])) < 0)
				return false;
			*out++ = (char)(hi << 4 | lo);
			s += 3;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
	return true;
}

/*
 * Version 1 (no version comment) wrote histogram buckets by index: "hist"
 * by log-linear bucket, "runqlat" by log2 slot i = [2^i, 2^(i+1)), and
 * "sockhist" by lowest value under the key "log2".  Version 2 writes every
 * bucket by its lowest value under "buckets".
 */
enum v1_bucket { V1_LL_INDEX, V1_SLOT_POW2, V1_LOW };

static const struct v1_hist {
	const char *kind, *key;
	enum v1_bucket how;
} v1_hists[] = {
	{ "hist", "buckets", V1_LL_INDEX },
	{ "runqlat", "buckets", V1_SLOT_POW2 },
	{ "sockhist", "log2", V1_LOW },
};

/* Rewrites a version 1 bucket list (malloc()ed result, NULL on ENOMEM). */
static char *v1_buckets(const char *s, enum v1_bucket how)
{
	struct rec_buckets *in = calloc(2, sizeof(*in)), *out = in + 1;
	size_t len;
	char *r = NULL;

	if (!in)
		return NULL;
	buckets_parse(s, in);
	for (uint32_t i = 0; i < in->nr; i++) {
		uint64_t b = in->v[i].low;

		if (how == V1_LL_INDEX && b < HIST_LL_BUCKETS)
			rec_buckets__add(out, hist_ll_low(b), in->v[i].count);
		else if (how == V1_SLOT_POW2 && b < 64)
			rec_buckets__add(out, b ? 1ULL << b : 0, in->v[i].count);
		else if (how == V1_LOW)
			rec_buckets__add(out, b, in->v[i].count);
	}
	len = (size_t)out->nr * 2 * (NUM_LEN - 10) + 1;
	r = malloc(len);
	if (r)
		rec_buckets__format(out, r, len);
	free(in);
	return r;
}

/* Brings one parsed version 1 record to the current encoding, in place. */
static int v1_upgrade(const char *kind, char **keys, char **vals, size_t n, char **heap)
{
	for (size_t h = 0; h < sizeof(v1_hists) / sizeof(v1_hists[0]); h++) {
		if (strcmp(kind, v1_hists[h].kind))
			continue;
		for (size_t i = 0; i < n; i++) {
			if (strcmp(keys[i], v1_hists[h].key))
				continue;
			*heap = v1_buckets(vals[i], v1_hists[h].how);
			if (!*heap)
				return -ENOMEM;
			keys[i] = "buckets";
			vals[i] = *heap;
			return 0;
		}
	}
	return 0;
}

/* "peerscope:version N": the encoding of the records after it. */
static bool version_comment(const char *s, struct records_reader *rd)
{
	char *end;
	long v;

	if (strncmp(s, VERSION_KIND " ", sizeof(VERSION_KIND)))
		return false;
	v = strtol(s + sizeof(VERSION_KIND), &end, 10);
	if (*end || v < 1)
		return false;
	rd->version = v > RECORDS_VERSION ? RECORDS_VERSION : (int)v;
	return true;
}

int records__decode(struct profile *p, struct records_reader *rd, const char *comment)
{
	const char *s, *e, *eq;
	char *copy = NULL, **keys = NULL, **vals = NULL, *o, *heap = NULL;
	size_t len, n = 0, maxf = 1;
	char *kind;
	int err = 0;

	if (strncmp(comment, RECORD_PREFIX, sizeof(RECORD_PREFIX) - 1))
		return 0;
	s = comment + sizeof(RECORD_PREFIX) - 1;
	if (version_comment(s, rd))
		return 1;
	len = strlen(s);
	for (e = s; *e; e++)
		maxf += *e == ' ';
	/* Unescaping only shrinks: one buffer holds every piece. */
	copy = malloc(len + maxf + 1);
	keys = malloc(maxf * sizeof(*keys));
	vals = malloc(maxf * sizeof(*vals));
	if (!copy || !keys || !vals) {
		err = -ENOMEM;
		goto out_free;
	}
	o = copy;
	e = strchr(s, ' ');
	if (!e)
		e = s + len;
	kind = o;
	if (e == s || !unesc(s, e, o) || !*o)
		goto out_free;   /* not ours after all: a plain comment */
	o += strlen(o) + 1;
	while (*e) {
		s = e + 1;
		e = strchr(s, ' ');
		if (!e)
			e = s + strlen(s);
		eq = memchr(s, '=', e - s);
		if (!eq || eq == s)
			goto out_free;
		keys[n] = o;
		if (!unesc(s, eq, o) || !*o)
			goto out_free;
		o += strlen(o) + 1;
		vals[n] = o;
		if (!unesc(eq + 1, e, o))
			goto out_free;
		o += strlen(o) + 1;
		n++;
	}
	if (rd->version < 2)
		err = v1_upgrade(kind, keys, vals, n, &heap);
	if (!err)
		err = profile__add_record_v(p, kind, (const char *const *)keys,
					    (const char *const *)vals, (uint32_t)n);
	if (!err)
		err = 1;
out_free:
	free(heap);
	free(copy);
	free(keys);
	free(vals);
	return err;
}
