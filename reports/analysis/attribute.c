// SPDX-License-Identifier: MIT
/*
 * Which path a sample belongs to (attribute.h): its span's `path` label,
 * else the symbol rules over its stack, else its thread's name, else the
 * socket it was serving, else the port rules for socket samples, else
 * "other"; and path labels applied to a loaded recording, once, through
 * profile__relabel().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/profile.h"
#include "core/rules.h"
#include "analysis/attribute.h"
#include "analysis/frames.h"
#include "analysis/paths.h"

static int peer_port(const char *peer)
{
	const char *c = peer ? strrchr(peer, ':') : NULL;

	return c ? atoi(c + 1) : -1;
}

static bool is_other(const char *s)
{
	return !s || !*s || !strcmp(s, "other");
}

static int sample_path_how(const struct profile *p, const struct path_rules *r, uint32_t i,
			   enum path_how *how, const struct frames *f);

static int sample_path_frames(const struct profile *p, const struct path_rules *r,
			      uint32_t i, bool *from_span, const struct frames *f)
{
	enum path_how how;
	int id = sample_path_how(p, r, i, &how, f);

	*from_span = how == BY_LABEL;
	return id;
}

static int sample_path_how(const struct profile *p, const struct path_rules *r, uint32_t i,
			   enum path_how *how, const struct frames *f)
{
	return paths__path_of(p, r, i, how, path_rules__match_frames(r, f->names, f->nr, NULL));
}

int paths__path_of(const struct profile *p, const struct path_rules *r, uint32_t i,
			   enum path_how *how, int sym)
{
	uint32_t ls = p->samples[i].labelset;
	const char *label = profile__label_str(p, ls, "path");
	int id;

	*how = BY_NONE;
	if (!is_other(label)) {
		id = path_rules__id(r, label);
		if (id >= 0) {
			*how = BY_LABEL;
			return id;
		}
	}
	if (sym >= 0) {
		*how = BY_SYMBOL;
		return sym;
	}
	/*
	 * A blocked stack may be one libc frame (a leaf without a frame
	 * pointer hides its caller): the thread's name is the next best clue.
	 */
	label = profile__label_str(p, ls, "thread");
	if (label) {
		id = path_rules__match_frames(r, &label, 1, NULL);
		if (id >= 0) {
			*how = BY_THREAD;
			return id;
		}
	}
	/* the thread was serving a socket the port rules place in a path */
	label = profile__label_str(p, ls, "sockpath");
	if (!is_other(label)) {
		id = path_rules__id(r, label);
		if (id >= 0) {
			*how = BY_SOCKET;
			return id;
		}
	}
	id = path_rules__match_port(r, profile__label_str(p, ls, "proto"),
				    peer_port(profile__label_str(p, ls, "peer")));
	if (id >= 0)
		*how = BY_PORT;
	return id >= 0 ? id : PATH_OTHER;
}

int paths__sample_path(const struct profile *p, const struct path_rules *r, uint32_t sample,
		       bool *from_span)
{
	struct frames *f = malloc(sizeof(*f));
	bool dummy;
	int id;

	if (!f)
		return -ENOMEM;
	frames__user(p, p->samples[sample].stack, f);
	id = sample_path_frames(p, r, sample, from_span ? from_span : &dummy, f);
	free(f);
	return id;
}

bool paths__in_thread_entry(const struct path_rules *r, const struct frames *f)
{
	uint32_t m;

	if (path_rules__match_frames(r, f->names, f->nr, &m) < 0 || m >= f->nr)
		return false;
	for (uint32_t k = 0; k < m; k++) {
		if (path_rules__match_frames(r, &f->names[k], 1, NULL) >= 0)
			return false;
	}
	for (uint32_t k = m + 1; k < f->nr; k++) {
		if (!frames__is_thread_start(f->names[k]))
			return false;
	}
	return true;
}

struct relabel_ctx {
	const struct path_rules *r;
	struct frames *f;
};

/* The path the rules give a sample that has none yet; NULL to leave it. */
static const char *rule_path(const struct profile *p, uint32_t i, void *ctx)
{
	struct relabel_ctx *rc = ctx;
	bool span;
	int id;

	if (!is_other(profile__label_str(p, p->samples[i].labelset, "path")))
		return NULL;
	frames__user(p, p->samples[i].stack, rc->f);
	id = sample_path_frames(p, rc->r, i, &span, rc->f);
	/* nothing to say: leave the label as it is */
	return id == PATH_OTHER ? NULL : path_rules__name(rc->r, id);
}

int paths__label_profile(struct profile *p, const struct path_rules *r)
{
	struct relabel_ctx rc = { .r = r };
	int changed;

	if (!r)
		return 0;
	rc.f = malloc(sizeof(*rc.f));
	if (!rc.f)
		return -ENOMEM;
	changed = profile__relabel(p, "path", rule_path, &rc);
	free(rc.f);
	return changed;
}

bool paths__sample_on(const struct profile *p, uint32_t sample, void *ctx)
{
	const char *v = profile__label_str(p, p->samples[sample].labelset, "path");

	return !strcmp(v && *v ? v : PATH_OTHER_NAME, ctx);
}
