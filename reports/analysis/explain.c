// SPDX-License-Identifier: MIT
/*
 * rules --explain: the recording's heaviest (stack, path, evidence) rows,
 * each with what matched.  Reads the labels paths__label_profile() wrote;
 * the matched frame of a symbol rule is found again with the same rules,
 * since labels keep the path and the kind of evidence, not the frame.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/array.h"
#include "core/hashmap.h"
#include "core/profile.h"
#include "core/rules.h"
#include "analysis/explain.h"
#include "analysis/frames.h"

static int by_value(const void *a, const void *b)
{
	const struct explain_row *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? 1 : -1;
	return x->stack < y->stack ? -1 : x->stack > y->stack;
}

/* What in sample i made rule evidence `how` place it, into row->detail. */
static void describe(const struct profile *p, const struct path_rules *r, uint32_t i,
		     struct frames *f, struct explain_row *row)
{
	uint32_t ls = p->samples[i].labelset, m = UINT32_MAX;
	const char *s = NULL, *what = "";
	char sock[32];
	int64_t lport;

	switch (row->how) {
	case BY_SYMBOL:
	case BY_ENTRY:
		frames__user(p, row->stack, f);
		if (path_rules__match_frames(r, f->names, f->nr, &m) >= 0 && m < f->nr) {
			what = row->how == BY_ENTRY ? "thread entry " : "frame ";
			s = f->names[m];
		}
		break;
	case BY_LABEL:
		what = "span ";
		s = profile__label_str(p, ls, "span");
		if (!s)
			s = profile__label_str(p, ls, "path");
		break;
	case BY_THREAD:
		what = "thread ";
		s = profile__label_str(p, ls, "thread");
		break;
	case BY_SOCKET:
		what = "serving a socket of ";
		s = profile__label_str(p, ls, "sockpath");
		if (s)
			break;
		/* traffic, or a thread serving a socket, that took the path of its socket's traffic */
		if (profile__label_num(p, ls, "lport", &lport)) {
			s = profile__label_str(p, ls, "proto");
			what = "socket ";
		} else if (profile__label_num(p, ls, "sockport", &lport)) {
			s = profile__label_str(p, ls, "sockproto");
			what = "serving socket ";
		} else {
			break;
		}
		snprintf(sock, sizeof(sock), "%s:%lld", s ? s : "?", (long long)lport);
		s = sock;
		break;
	case BY_PORT:
		what = "peer ";
		s = profile__label_str(p, ls, "peer");
		break;
	default:
		break;
	}
	snprintf(row->detail, sizeof(row->detail), "%s%s", s ? what : "", s ? s : "");
}

/* The (stack, path, evidence) key of a row: its first three fields. */
#define ROW_KEY_LEN (offsetof(struct explain_row, how) + sizeof(uint32_t))

int explain__compute(const struct profile *p, const struct path_rules *r, int type,
		     uint32_t top, struct explain *out)
{
	struct hashmap *seen = hashmap__new(NULL, NULL);
	struct frames *f = malloc(sizeof(*f));
	struct frames_canon canon = {};
	struct explain_row *rows = NULL;
	uint32_t nr = 0, cap = 0;
	int err = -ENOMEM;

	memset(out, 0, sizeof(*out));
	if (!seen || !f || frames_canon__init(&canon, p))
		goto out;
	for (uint32_t i = 0; i < p->nr_samples; i++) {
		int64_t v = profile__value(p, i, type);
		struct explain_row key;
		enum path_how how;
		int64_t canon_id;
		uint32_t idx;
		int id;

		if (v <= 0)
			continue;
		id = paths__path_of(p, r, i, &how, f);
		if (id < 0) {
			err = id;
			goto out;
		}
		memset(&key, 0, sizeof(key));
		/* stacks that print alike are one row, keyed by the first of them */
		canon_id = frames_canon__of(&canon, p, p->samples[i].stack);
		if (canon_id < 0)
			goto out;
		key.stack = canon_id;
		key.path = id;
		key.how = how < BY_NR ? how : BY_NONE;
		out->total += v;
		out->by_how[key.how] += v;
		/* ids are row index + 1: the table keeps 0 for "absent" */
		if (hashmap__find_or_insert(seen, &key, ROW_KEY_LEN, nr + 1, &idx) < 0)
			goto out;
		if (--idx == nr) {
			if (ARRAY_ROOM(rows, nr, cap, 256))
				goto out;
			key.sample = i;
			rows[nr++] = key;
		}
		rows[idx].value += v;
	}
	if (nr)
		qsort(rows, nr, sizeof(*rows), by_value);
	out->nr = nr < top ? nr : top;
	for (uint32_t k = 0; k < out->nr; k++)
		describe(p, r, rows[k].sample, f, &rows[k]);
	out->rows = rows;
	rows = NULL;
	err = 0;
out:
	free(rows);
	free(f);
	frames_canon__free(&canon);
	hashmap__free(seen);
	return err;
}

void explain__free(struct explain *e)
{
	free(e->rows);
	memset(e, 0, sizeof(*e));
}
