// SPDX-License-Identifier: MIT
/*
 * Which path a sample belongs to (attribute.h): its span's `path` label,
 * else the symbol rules over its stack, else its thread's name, else the
 * socket it was serving, else the port rules for socket samples, else
 * "other"; then traffic still on "other" takes its socket's path
 * (socket-paths.h).  Written once into a loaded recording as the `path`
 * and `path_by` labels, through profile__relabel(), and read back by
 * every analysis.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/names.h"
#include "core/profile.h"
#include "core/rules.h"
#include "analysis/attribute.h"
#include "analysis/frames.h"
#include "analysis/paths.h"
#include "analysis/socket-paths.h"

#define PATH_BY "path_by"

static const char *const how_names[BY_NR] = {
	[BY_NONE] = "none", [BY_LABEL] = "span", [BY_SYMBOL] = "symbol", [BY_ENTRY] = "entry",
	[BY_THREAD] = "thread", [BY_SOCKET] = "socket", [BY_PORT] = "port",
};

const char *paths__how_name(enum path_how how)
{
	return how < BY_NR ? how_names[how] : how_names[BY_NONE];
}

int paths__how_parse(const char *s)
{
	for (int i = 0; s && i < BY_NR; i++) {
		if (!strcmp(s, how_names[i]))
			return i;
	}
	return -1;
}

static int peer_port(const char *peer)
{
	const char *c = peer ? strrchr(peer, ':') : NULL;

	return c ? atoi(c + 1) : -1;
}

static bool is_other(const char *s)
{
	return !s || !*s || !strcmp(s, "other");
}

int paths__labelled_path(const struct profile *p, const struct path_rules *r, uint32_t i,
			 enum path_how *how)
{
	uint32_t ls = p->samples[i].labelset;
	const char *label = profile__label_str(p, ls, "path");
	int by = paths__how_parse(profile__label_str(p, ls, PATH_BY));
	int id = is_other(label) ? PATH_OTHER : path_rules__id(r, label);

	/* a file may carry anything: read only what these rules can mean */
	if (by < 0 || id < 0 || (by == BY_NONE) != (id == PATH_OTHER))
		return PATHS_UNLABELLED;
	*how = by;
	return id;
}

int paths__attribute(const struct profile *p, const struct path_rules *r, uint32_t i, int sym,
		     bool entry, enum path_how *how)
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
		*how = entry ? BY_ENTRY : BY_SYMBOL;
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

/* paths__in_thread_entry() of a stack whose symbol match is frame m. */
static bool entry_only(const struct path_rules *r, const struct frames *f, uint32_t m)
{
	if (m >= f->nr)
		return false;
	/* the cheap test first: most matches have callers of their own */
	for (uint32_t k = m + 1; k < f->nr; k++) {
		if (!frames__is_thread_start(f->names[k]))
			return false;
	}
	for (uint32_t k = 0; k < m; k++) {
		if (path_rules__match_frames(r, &f->names[k], 1, NULL) >= 0)
			return false;
	}
	return true;
}

bool paths__in_thread_entry(const struct path_rules *r, const struct frames *f)
{
	uint32_t m;

	return path_rules__match_frames(r, f->names, f->nr, &m) >= 0 && entry_only(r, f, m);
}

bool paths__wait_is_idle(bool stack_idle, enum path_how how, int *reason)
{
	if (stack_idle && how == BY_LABEL) {
		*reason = REASON_NET;
		return false;
	}
	if ((*reason == REASON_TIMER || *reason == REASON_NET) && (how == BY_THREAD || how == BY_ENTRY))
		return true;
	if (*reason == REASON_TIMER && how == BY_NONE)
		return true;
	return stack_idle;
}

enum path_how paths__how_of(const struct profile *p, uint32_t ls)
{
	int how = paths__how_parse(profile__label_str(p, ls, PATH_BY));

	return how < 0 ? BY_SYMBOL : how;
}

/* The symbol rules' verdict on a stack: its path (-1 none) and whether only the entry matched. */
static int stack_sym(const struct path_rules *r, const struct frames *f, bool *entry)
{
	uint32_t m = 0;
	int sym = path_rules__match_frames(r, f->names, f->nr, &m);

	*entry = sym >= 0 && entry_only(r, f, m);
	return sym;
}

int paths__path_of(const struct profile *p, const struct path_rules *r, uint32_t i,
		   enum path_how *how, struct frames *f)
{
	struct frames *own = NULL;
	bool entry;
	int id = paths__labelled_path(p, r, i, how), sym;

	if (id != PATHS_UNLABELLED)
		return id;
	if (!f && !(f = own = malloc(sizeof(*f))))
		return -ENOMEM;
	frames__user(p, p->samples[i].stack, f);
	sym = stack_sym(r, f, &entry);
	free(own);
	return paths__attribute(p, r, i, sym, entry, how);
}

/*
 * Labelling: the symbol rules' verdict per stack, computed the first time
 * a sample on it needs one (a recording has many more samples than stacks).
 */
struct relabel_ctx {
	const struct path_rules *r;
	struct frames *f;
	int8_t *sym;			/* per stack: 0 not yet, else path + 2 (1: none) */
	bool *entry;
};

static bool label_of(const struct profile *p, uint32_t i, void *ctx, const char **v)
{
	struct relabel_ctx *rc = ctx;
	uint32_t stack = p->samples[i].stack;
	const char *label;
	enum path_how how;
	int id;

	if (paths__labelled_path(p, rc->r, i, &how) != PATHS_UNLABELLED)
		return false;
	if (stack < p->nr_stacks && !rc->sym[stack]) {
		frames__user(p, stack, rc->f);
		rc->sym[stack] = stack_sym(rc->r, rc->f, &rc->entry[stack]) + 2;
	}
	id = paths__attribute(p, rc->r, i, stack < p->nr_stacks ? rc->sym[stack] - 2 : -1,
			      stack < p->nr_stacks && rc->entry[stack], &how);
	label = profile__label_str(p, p->samples[i].labelset, "path");
	/* "other" stays absent; a label the rules do not know becomes "other" */
	v[0] = id != PATH_OTHER ? path_rules__name(rc->r, id) : is_other(label) ? NULL : "other";
	v[1] = paths__how_name(how);
	return true;
}

/*
 * The second pass, once the first has placed what it can: traffic no
 * evidence placed takes its socket's path, and so does the rest of what a
 * thread did while it served that socket (socket-paths.h).
 */
static bool socket_label_of(const struct profile *p, uint32_t i, void *ctx, const char **v)
{
	uint32_t ls = p->samples[i].labelset;
	const char *path;

	if (paths__how_parse(profile__label_str(p, ls, PATH_BY)) != BY_NONE)
		return false;
	path = socket_paths__of(ctx, p, ls);
	if (!path)
		path = socket_paths__served(ctx, p, ls);
	if (!path)
		return false;
	v[0] = path;
	v[1] = paths__how_name(BY_SOCKET);
	return true;
}

static int label_sockets(struct profile *p, const char *const *keys)
{
	struct socket_paths sp;
	int changed = socket_paths__init(&sp, p);

	if (changed)
		return changed;
	if (sp.nr_sock)
		changed = profile__relabel(p, keys, 2, socket_label_of, &sp);
	socket_paths__free(&sp);
	return changed;
}

int paths__label_profile(struct profile *p, const struct path_rules *r)
{
	static const char *const keys[] = { "path", PATH_BY };
	struct relabel_ctx rc = { .r = r };
	size_t n = p->nr_stacks ? p->nr_stacks : 1;
	int changed = -ENOMEM, more;

	if (!r)
		return 0;
	rc.f = malloc(sizeof(*rc.f));
	rc.sym = calloc(n, sizeof(*rc.sym));
	rc.entry = calloc(n, sizeof(*rc.entry));
	if (rc.f && rc.sym && rc.entry)
		changed = profile__relabel(p, keys, 2, label_of, &rc);
	free(rc.f);
	free(rc.sym);
	free(rc.entry);
	if (changed < 0)
		return changed;
	more = label_sockets(p, keys);
	return more < 0 ? more : changed + more;
}

bool paths__is_labelled(const struct profile *p)
{
	for (uint32_t i = 0; i < p->nr_samples; i++) {
		if (!profile__label_str(p, p->samples[i].labelset, PATH_BY))
			return false;
	}
	return true;
}

bool paths__sample_on(const struct profile *p, uint32_t sample, void *ctx)
{
	const char *v = profile__label_str(p, p->samples[sample].labelset, "path");

	return !strcmp(v && *v ? v : PATH_OTHER_NAME, ctx);
}
