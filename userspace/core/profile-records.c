// SPDX-License-Identifier: MIT
/*
 * The profile model: side records, comments and frame names; see profile.h
 * for the API and core/records.h for the typed records built on these.
 */
#include "core/profile.h"
#include "core/profile-internal.h"
#include "core/hashmap.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- records, comments ---- */

int pf_record_add_ids(struct profile *p, uint32_t kind, const uint32_t *keys,
			  const uint32_t *vals, uint32_t n)
{
	struct pf_record *r;

	if (!kind)
		return -EINVAL;
	if (GROW(p->records, p->cap_records, p->nr_records + 1))
		return -ENOMEM;
	r = &p->records[p->nr_records];
	r->kind = kind;
	r->nr_fields = n;
	r->keys = r->vals = NULL;
	if (n) {
		r->keys = pf_arena_alloc(p->hash, n * sizeof(uint32_t));
		r->vals = pf_arena_alloc(p->hash, n * sizeof(uint32_t));
		if (!r->keys || !r->vals)
			return -ENOMEM;
		memcpy(r->keys, keys, n * sizeof(uint32_t));
		memcpy(r->vals, vals, n * sizeof(uint32_t));
	}
	p->nr_records++;
	return 0;
}

int profile__add_record_v(struct profile *p, const char *kind, const char *const *keys,
			  const char *const *vals, uint32_t n)
{
	uint32_t sk[16], sv[16], *k = sk, *v = sv, i, kid;
	int err = -ENOMEM;

	if (!kind || !*kind || (n && (!keys || !vals)))
		return -EINVAL;
	kid = profile__intern(p, kind);
	if (!kid)
		return -ENOMEM;
	if (n > 16) {
		k = malloc(n * sizeof(*k));
		v = malloc(n * sizeof(*v));
		if (!k || !v)
			goto out_free;
	}
	for (i = 0; i < n; i++) {
		if (!keys[i] || !*keys[i]) {
			err = -EINVAL;
			goto out_free;
		}
		k[i] = profile__intern(p, keys[i]);
		v[i] = profile__intern(p, vals[i]);
		if (!k[i] || (vals[i] && *vals[i] && !v[i]))
			goto out_free;
	}
	err = pf_record_add_ids(p, kid, k, v, n);
out_free:
	if (k != sk)
		free(k);
	if (v != sv)
		free(v);
	return err;
}

int profile__add_record(struct profile *p, const char *kind, ...)
{
	const char *sk[16], *sv[16], **k = sk, **v = sv;
	uint32_t n = 0, cap = 16;
	va_list ap;
	int err;

	va_start(ap, kind);
	for (;;) {
		const char *key = va_arg(ap, const char *), *val;

		if (!key)
			break;
		val = va_arg(ap, const char *);
		if (!val)
			break;
		if (n == cap) {
			const char **nk, **nv;

			cap *= 2;
			nk = k == sk ? malloc(cap * sizeof(*nk)) : realloc(k, cap * sizeof(*nk));
			if (nk && k == sk)
				memcpy(nk, sk, sizeof(sk));
			if (nk)
				k = nk;
			nv = v == sv ? malloc(cap * sizeof(*nv)) : realloc(v, cap * sizeof(*nv));
			if (nv && v == sv)
				memcpy(nv, sv, sizeof(sv));
			if (nv)
				v = nv;
			if (!nk || !nv) {
				err = -ENOMEM;
				goto out_free;
			}
		}
		k[n] = key;
		v[n++] = val;
	}
	err = profile__add_record_v(p, kind, k, v, n);
out_free:
	va_end(ap);
	if (k != sk)
		free(k);
	if (v != sv)
		free(v);
	return err;
}

const char *profile__record_get(const struct profile *p, const struct pf_record *r,
				const char *key)
{
	uint32_t k, i;

	if (!r || !profile__find_str(p, key, &k) || !k)
		return NULL;
	for (i = 0; i < r->nr_fields; i++)
		if (r->keys[i] == k)
			return profile__str(p, r->vals[i]);
	return NULL;
}

int pf_comment_add_id(struct profile *p, uint32_t id)
{
	if (GROW(p->comments, p->cap_comments, p->nr_comments + 1))
		return -ENOMEM;
	p->comments[p->nr_comments++] = id;
	return 0;
}

int profile__add_comment(struct profile *p, const char *comment)
{
	uint32_t id;

	if (!comment || !*comment)
		return -EINVAL;
	id = profile__intern(p, comment);
	if (!id)
		return -ENOMEM;
	return pf_comment_add_id(p, id);
}

/* ---- frame names ---- */

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

/* snprintf(buf, len, "%s", s) without parsing a format: every stack walk names each frame. */
static const char *copy_name(char *buf, size_t len, const char *s)
{
	size_t n = strlen(s);

	if (n >= len)
		n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

const char *profile__frame_name(const struct profile *p, uint32_t loc, uint32_t line,
				char *buf, size_t len)
{
	const struct pf_location *l;
	const struct pf_mapping *m = NULL;

	if (!buf || !len)
		return "";
	if (!loc || loc >= p->nr_locations) {
		snprintf(buf, len, "[unknown]");
		return buf;
	}
	l = &p->locations[loc];
	if (l->nr_lines) {
		const struct pf_function *f;

		if (line >= l->nr_lines)
			line = l->nr_lines - 1;
		f = &p->functions[l->lines[line].function];
		if (f->name)
			return copy_name(buf, len, p->strings[f->name]);
		if (f->system_name)
			return copy_name(buf, len, p->strings[f->system_name]);
	}
	if (l->mapping && l->mapping < p->nr_mappings)
		m = &p->mappings[l->mapping];
	if (l->kernel || !l->address) {
		/* Kernel frames without a symbol are folded together like perf
		 * does; their addresses would only scatter the graph. */
		snprintf(buf, len, "[unknown]");
	} else if (m && m->filename && l->address >= m->start) {
		snprintf(buf, len, "%s+0x%" PRIx64, base_name(p->strings[m->filename]),
			 l->address - m->start + m->offset);
	} else {
		snprintf(buf, len, "0x%" PRIx64, l->address);
	}
	return buf;
}
