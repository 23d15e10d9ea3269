// SPDX-License-Identifier: MIT
/*
 * The pprof wire format through protobuf-c, the contender in
 * bench/pprof-codec.c: the code protoc-c generates from profile.proto
 * ($(BUILD)/gen/profile.pb-c.[ch]) packs and unpacks the messages; this
 * file maps them to and from the profile model with the same rules as the
 * codec peerscope ships (userspace/format/pprof.c): same bytes out, same
 * checks in.  It shares that codec's model-side preparation (pprof-int.h).
 * The shipped codec won on time and memory, so only the benchmark links
 * this one.
 */
#include "pprof-pbc.h"
#include "format/pprof-int.h"
#include "format/pprof.h"
#include "core/profile.h"
#include "core/records.h"
#include "profile.pb-c.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef Perftools__Profiles__Profile pb_profile;
typedef Perftools__Profiles__ValueType pb_value_type;
typedef Perftools__Profiles__Sample pb_sample;
typedef Perftools__Profiles__Label pb_label;
typedef Perftools__Profiles__Mapping pb_mapping;
typedef Perftools__Profiles__Location pb_location;
typedef Perftools__Profiles__Line pb_line;
typedef Perftools__Profiles__Function pb_function;

/* ================= encoder ================= */

/* Everything the message tree points into, freed at once. */
struct wtree {
	pb_value_type types[PF_MAX_TYPES], *type_ptrs[PF_MAX_TYPES], period_type;
	pb_sample *samples, **sample_ptrs;
	uint64_t *stack_locs;	/* every stack's location ids, widened */
	size_t *stack_at;	/* stack id -> index into stack_locs */
	pb_label *labels, **label_ptrs;
	size_t *labelset_at;	/* label set id -> index into label_ptrs */
	pb_mapping *mappings, **mapping_ptrs;
	pb_location *locations, **location_ptrs;
	pb_line *lines, **line_ptrs;
	pb_function *functions, **function_ptrs;
	char **strings;
	int64_t *comments;
};

static void wtree_free(struct wtree *t)
{
	free(t->samples);
	free(t->sample_ptrs);
	free(t->stack_locs);
	free(t->stack_at);
	free(t->labels);
	free(t->label_ptrs);
	free(t->labelset_at);
	free(t->mappings);
	free(t->mapping_ptrs);
	free(t->locations);
	free(t->location_ptrs);
	free(t->lines);
	free(t->line_ptrs);
	free(t->functions);
	free(t->function_ptrs);
	free(t->strings);
	free(t->comments);
}

/* Location ids of every stack once, widened to the wire's uint64. */
static int tree_stacks(struct wtree *t, const struct profile *p)
{
	size_t total = 0, at = 0;
	uint32_t i, j;

	for (i = 1; i < p->nr_stacks; i++)
		total += p->stacks[i].nr;
	t->stack_locs = malloc((total + 1) * sizeof(*t->stack_locs));
	t->stack_at = calloc(p->nr_stacks + 1, sizeof(*t->stack_at));
	if (!t->stack_locs || !t->stack_at)
		return -ENOMEM;
	for (i = 1; i < p->nr_stacks; i++) {
		t->stack_at[i] = at;
		for (j = 0; j < p->stacks[i].nr; j++)
			t->stack_locs[at++] = p->stacks[i].locs[j];
	}
	return 0;
}

/* Each label set once; samples point at its run of label pointers. */
static int tree_labels(struct wtree *t, const struct profile *p)
{
	size_t total = 0, at = 0;
	uint32_t i, j;

	for (i = 1; i < p->nr_labelsets; i++)
		total += p->labelsets[i].nr;
	t->labels = calloc(total + 1, sizeof(*t->labels));
	t->label_ptrs = calloc(total + 1, sizeof(*t->label_ptrs));
	t->labelset_at = calloc(p->nr_labelsets + 1, sizeof(*t->labelset_at));
	if (!t->labels || !t->label_ptrs || !t->labelset_at)
		return -ENOMEM;
	for (i = 1; i < p->nr_labelsets; i++) {
		const struct pf_labelset *ls = &p->labelsets[i];

		t->labelset_at[i] = at;
		for (j = 0; j < ls->nr; j++, at++) {
			const struct pf_label *l = &ls->labels[j];
			pb_label *o = &t->labels[at];

			perftools__profiles__label__init(o);
			o->key = l->key;
			/* a string label carries no number (as the hand-written writer) */
			o->str = l->str;
			o->num = l->str ? 0 : l->num;
			o->num_unit = l->str ? 0 : l->unit;
			t->label_ptrs[at] = o;
		}
	}
	return 0;
}

static int tree_samples(struct wtree *t, const struct profile *p, pb_profile *m)
{
	uint32_t i;

	t->samples = calloc(p->nr_samples + 1, sizeof(*t->samples));
	t->sample_ptrs = calloc(p->nr_samples + 1, sizeof(*t->sample_ptrs));
	if (!t->samples || !t->sample_ptrs)
		return -ENOMEM;
	for (i = 0; i < p->nr_samples; i++) {
		const struct pf_sample *s = &p->samples[i];
		pb_sample *o = &t->samples[i];

		perftools__profiles__sample__init(o);
		o->n_location_id = p->stacks[s->stack].nr;
		o->location_id = t->stack_locs + t->stack_at[s->stack];
		o->n_value = p->nr_types;
		o->value = profile__sample_values(p, i);
		if (s->labelset) {
			o->n_label = p->labelsets[s->labelset].nr;
			o->label = t->label_ptrs + t->labelset_at[s->labelset];
		}
		t->sample_ptrs[i] = o;
	}
	m->n_sample = p->nr_samples;
	m->sample = t->sample_ptrs;
	return 0;
}

static int tree_mappings(struct wtree *t, const struct wctx *w, pb_profile *m)
{
	const struct profile *p = w->p;
	uint32_t i;

	t->mappings = calloc(w->nr_out_maps + 1, sizeof(*t->mappings));
	t->mapping_ptrs = calloc(w->nr_out_maps + 1, sizeof(*t->mapping_ptrs));
	if (!t->mappings || !t->mapping_ptrs)
		return -ENOMEM;
	for (i = 0; i < w->nr_out_maps; i++) {
		uint32_t id = w->map_order[i];
		pb_mapping *o = &t->mappings[i];

		perftools__profiles__mapping__init(o);
		o->id = i + 1;
		if (id) {
			const struct pf_mapping *mp = &p->mappings[id];

			o->memory_start = mp->start;
			o->memory_limit = mp->limit;
			o->file_offset = mp->offset;
			o->filename = mp->filename;
			o->build_id = mp->build_id;
			o->has_functions = mp->has_functions;
		} else {
			o->filename = w->kernel_str;
		}
		t->mapping_ptrs[i] = o;
	}
	m->n_mapping = w->nr_out_maps;
	m->mapping = t->mapping_ptrs;
	return 0;
}

static int tree_locations(struct wtree *t, const struct wctx *w, pb_profile *m)
{
	const struct profile *p = w->p;
	size_t total = 0, at = 0;
	uint32_t i, j, n = p->nr_locations ? p->nr_locations - 1 : 0;

	for (i = 1; i < p->nr_locations; i++)
		total += p->locations[i].nr_lines;
	t->locations = calloc(n + 1, sizeof(*t->locations));
	t->location_ptrs = calloc(n + 1, sizeof(*t->location_ptrs));
	t->lines = calloc(total + 1, sizeof(*t->lines));
	t->line_ptrs = calloc(total + 1, sizeof(*t->line_ptrs));
	if (!t->locations || !t->location_ptrs || !t->lines || !t->line_ptrs)
		return -ENOMEM;
	for (i = 1; i < p->nr_locations; i++) {
		const struct pf_location *l = &p->locations[i];
		pb_location *o = &t->locations[i - 1];
		uint32_t map = l->mapping < p->nr_mappings ? w->map_out[l->mapping] : 0;

		if (l->kernel && !pprof__is_kernel_mapping(p, l->mapping))
			map = w->kernel_map_out;
		perftools__profiles__location__init(o);
		o->id = i;
		o->mapping_id = map;
		o->address = l->address;
		o->n_line = l->nr_lines;
		o->line = t->line_ptrs + at;
		for (j = 0; j < l->nr_lines; j++, at++) {
			perftools__profiles__line__init(&t->lines[at]);
			t->lines[at].function_id = l->lines[j].function;
			t->lines[at].line = l->lines[j].line;
			t->line_ptrs[at] = &t->lines[at];
		}
		t->location_ptrs[i - 1] = o;
	}
	m->n_location = n;
	m->location = t->location_ptrs;
	return 0;
}

static int tree_functions(struct wtree *t, const struct profile *p, pb_profile *m)
{
	uint32_t i, n = p->nr_functions ? p->nr_functions - 1 : 0;

	t->functions = calloc(n + 1, sizeof(*t->functions));
	t->function_ptrs = calloc(n + 1, sizeof(*t->function_ptrs));
	if (!t->functions || !t->function_ptrs)
		return -ENOMEM;
	for (i = 1; i < p->nr_functions; i++) {
		const struct pf_function *f = &p->functions[i];
		pb_function *o = &t->functions[i - 1];

		perftools__profiles__function__init(o);
		o->id = i;
		o->name = f->name;
		o->system_name = f->system_name;
		o->filename = f->filename;
		o->start_line = f->start_line;
		t->function_ptrs[i - 1] = o;
	}
	m->n_function = n;
	m->function = t->function_ptrs;
	return 0;
}

/* The scalars and small tables of the top-level message. */
static int tree_top(struct wtree *t, const struct wctx *w, pb_profile *m)
{
	const struct profile *p = w->p;
	uint32_t i, nr_strings = p->nr_strings + w->nr_extra;

	for (i = 0; i < p->nr_types; i++) {
		perftools__profiles__value_type__init(&t->types[i]);
		t->types[i].type = p->types[i].type;
		t->types[i].unit = p->types[i].unit;
		t->type_ptrs[i] = &t->types[i];
	}
	m->n_sample_type = p->nr_types;
	m->sample_type = t->type_ptrs;
	t->strings = malloc((nr_strings + 1) * sizeof(*t->strings));
	t->comments = malloc((w->nr_comment_ids + 1) * sizeof(*t->comments));
	if (!t->strings || !t->comments)
		return -ENOMEM;
	for (i = 0; i < nr_strings; i++)
		t->strings[i] = (char *)pprof__w_str(w, i);
	m->n_string_table = nr_strings;
	m->string_table = t->strings;
	m->time_nanos = p->time_nanos;
	m->duration_nanos = p->duration_nanos;
	if (p->period_type.type || p->period_type.unit) {
		perftools__profiles__value_type__init(&t->period_type);
		t->period_type.type = p->period_type.type;
		t->period_type.unit = p->period_type.unit;
		m->period_type = &t->period_type;
	}
	m->period = p->period;
	for (i = 0; i < w->nr_comment_ids; i++)
		t->comments[i] = w->comment_ids[i];
	m->n_comment = w->nr_comment_ids;
	m->comment = t->comments;
	if (p->default_type >= 0 && (uint32_t)p->default_type < p->nr_types)
		m->default_sample_type = p->types[p->default_type].type;
	return 0;
}

int pprof_pbc__encode(const struct profile *p, void **buf, size_t *len)
{
	pb_profile m = PERFTOOLS__PROFILES__PROFILE__INIT;
	struct wctx w = { .p = p };
	struct wtree t = { 0 };
	uint8_t *out = NULL;
	size_t size;
	int err;

	if (!p || !buf || !len)
		return -EINVAL;
	err = pprof__w_prepare(&w);
	if (!err)
		err = tree_stacks(&t, p);
	if (!err)
		err = tree_labels(&t, p);
	if (!err)
		err = tree_samples(&t, p, &m);
	if (!err)
		err = tree_mappings(&t, &w, &m);
	if (!err)
		err = tree_locations(&t, &w, &m);
	if (!err)
		err = tree_functions(&t, p, &m);
	if (!err)
		err = tree_top(&t, &w, &m);
	if (err)
		goto out_free;
	size = perftools__profiles__profile__get_packed_size(&m);
	out = malloc(size ? size : 1);
	if (!out) {
		err = -ENOMEM;
		goto out_free;
	}
	if (perftools__profiles__profile__pack(&m, out) != size) {
		free(out);
		err = -EIO;
		goto out_free;
	}
	*buf = out;
	*len = size;
out_free:
	wtree_free(&t);
	pprof__w_free(&w);
	return err;
}

/* ================= decoder ================= */

/*
 * protobuf-c allocates every message, array and string of the unpacked
 * tree separately; a bump arena freed at once spares it a malloc header
 * and a free() per piece (about a third of the reading time).
 */
struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	max_align_t data[];
};

#define ARENA_CHUNK (4u << 20)

static void *arena_alloc(void *ctx, size_t size)
{
	struct arena_chunk **head = ctx, *c = *head;
	size_t need = (size + 15) & ~(size_t)15;

	if (!c || c->cap - c->used < need) {
		size_t cap = need > ARENA_CHUNK ? need : ARENA_CHUNK;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = *head;
		*head = c;
	}
	c->used += need;
	return (char *)c->data + c->used - need;
}

static void arena_free(void *ctx, void *ptr)
{
}

static void arena_release(struct arena_chunk *c)
{
	while (c) {
		struct arena_chunk *next = c->next;

		free(c);
		c = next;
	}
}

struct pctx {
	struct profile *p;
	const pb_profile *m;
	uint32_t *str;		/* file string index -> our string id */
	int col[PF_MAX_TYPES];
	struct idmap maps, fns, locs;
	uint8_t *kernel_map;	/* per our mapping id */
};

static int pstr(const struct pctx *c, int64_t idx, uint32_t *out)
{
	if (idx < 0 || (uint64_t)idx >= c->m->n_string_table)
		return -EBADMSG;
	*out = c->str[idx];
	return 0;
}

static int p_strings(struct pctx *c)
{
	const pb_profile *m = c->m;
	size_t i;

	/* pprof requires string_table[0] == "" (and so a table at all). */
	if (!m->n_string_table || m->string_table[0][0])
		return -EBADMSG;
	c->str = calloc(m->n_string_table, sizeof(uint32_t));
	if (!c->str)
		return -ENOMEM;
	for (i = 1; i < m->n_string_table; i++) {
		if (!m->string_table[i][0])
			continue;
		c->str[i] = profile__intern(c->p, m->string_table[i]);
		if (!c->str[i])
			return -ENOMEM;
	}
	return 0;
}

static int p_types(struct pctx *c)
{
	const pb_profile *m = c->m;
	struct profile *p = c->p;
	size_t i;
	int err;

	if (m->n_sample_type > PF_MAX_TYPES)
		return -ENOSPC;
	for (i = 0; i < m->n_sample_type; i++) {
		uint32_t ts, us;

		if ((err = pstr(c, m->sample_type[i]->type, &ts)) ||
		    (err = pstr(c, m->sample_type[i]->unit, &us)))
			return err;
		if (!ts)
			return -EBADMSG;
		c->col[i] = profile__add_type(p, profile__str(p, ts), profile__str(p, us));
		if (c->col[i] < 0)
			return c->col[i];
	}
	if (m->default_sample_type) {
		uint32_t ds;

		err = pstr(c, m->default_sample_type, &ds);
		if (err)
			return err;
		p->default_type = profile__type_index(p, profile__str(p, ds));
	}
	if (m->period_type) {
		err = pstr(c, m->period_type->type, &p->period_type.type);
		if (!err)
			err = pstr(c, m->period_type->unit, &p->period_type.unit);
		if (err)
			return err;
	}
	p->time_nanos = m->time_nanos;
	p->duration_nanos = m->duration_nanos;
	p->period = m->period;
	return 0;
}

static int p_functions(struct pctx *c)
{
	size_t i;
	int err;

	err = pprof__idmap_init(&c->fns, c->m->n_function);
	for (i = 0; !err && i < c->m->n_function; i++) {
		const pb_function *f = c->m->function[i];
		uint32_t name, sys, file, id;

		if ((err = pstr(c, f->name, &name)) || (err = pstr(c, f->system_name, &sys)) ||
		    (err = pstr(c, f->filename, &file)))
			return err;
		id = profile__intern_function_full(c->p, name, sys, file, f->start_line);
		err = pprof__idmap_set(&c->fns, f->id, id);
	}
	return err;
}

static int p_mappings(struct pctx *c)
{
	size_t i, n = c->m->n_mapping + c->p->nr_mappings + 1;
	int err;

	err = pprof__idmap_init(&c->maps, c->m->n_mapping);
	if (err)
		return err;
	c->kernel_map = calloc(n, 1);
	if (!c->kernel_map)
		return -ENOMEM;
	for (i = 0; i < c->m->n_mapping; i++) {
		const pb_mapping *f = c->m->mapping[i];
		struct pf_mapping mp = {
			.start = f->memory_start,
			.limit = f->memory_limit,
			.offset = f->file_offset,
			.has_functions = f->has_functions,
		};
		uint32_t id;

		if ((err = pstr(c, f->filename, &mp.filename)) ||
		    (err = pstr(c, f->build_id, &mp.build_id)))
			return err;
		id = profile__add_mapping(c->p, &mp);
		err = pprof__idmap_set(&c->maps, f->id, id);
		if (err)
			return err;
		if (id < n)
			c->kernel_map[id] = !strcmp(profile__str(c->p, mp.filename),
						    PF_KERNEL_MODULE);
	}
	return 0;
}

static int p_locations(struct pctx *c)
{
	struct pf_line *lines = NULL;
	size_t i, j, cap = 0;
	int err;

	err = pprof__idmap_init(&c->locs, c->m->n_location);
	for (i = 0; !err && i < c->m->n_location; i++) {
		const pb_location *l = c->m->location[i];
		uint32_t nr = 0, mid = 0, ours;

		if (l->n_line > cap) {
			struct pf_line *nl = realloc(lines, l->n_line * sizeof(*nl));

			if (!nl) {
				err = -ENOMEM;
				break;
			}
			lines = nl;
			cap = l->n_line;
		}
		for (j = 0; j < l->n_line; j++) {
			/* A line without a function says nothing we can use. */
			if (!l->line[j]->function_id)
				continue;
			lines[nr].function = pprof__idmap_get(&c->fns, l->line[j]->function_id);
			lines[nr].line = l->line[j]->line;
			if (!lines[nr++].function)
				err = -EBADMSG;
		}
		if (!err && l->mapping_id && !(mid = pprof__idmap_get(&c->maps, l->mapping_id)))
			err = -EBADMSG;
		if (err)
			break;
		ours = profile__intern_location(c->p, mid && c->kernel_map[mid], l->address, mid,
						lines, nr);
		err = pprof__idmap_set(&c->locs, l->id, ours);
	}
	free(lines);
	return err;
}

static int p_labels(struct pctx *c, const pb_sample *s, struct pf_label *out)
{
	size_t i;
	int err;

	for (i = 0; i < s->n_label; i++) {
		const pb_label *f = s->label[i];
		struct pf_label *l = &out[i];

		memset(l, 0, sizeof(*l));
		if ((err = pstr(c, f->key, &l->key)) || (err = pstr(c, f->str, &l->str)) ||
		    (err = pstr(c, f->num_unit, &l->unit)))
			return err;
		if (!l->key)
			return -EBADMSG;
		l->num = f->num;
	}
	return 0;
}

static int p_samples(struct pctx *c)
{
	struct pf_label *labels = NULL;
	uint32_t *locs = NULL;
	size_t i, j, lcap = 0, loccap = 0, nr_cols = c->m->n_sample_type;
	int err = 0;

	for (i = 0; i < c->m->n_sample; i++) {
		const pb_sample *s = c->m->sample[i];
		uint32_t st, ls = 0;

		/* One value per sample type, as pprof requires. */
		if (s->n_value != nr_cols || s->n_location_id > UINT32_MAX) {
			err = -EBADMSG;
			break;
		}
		if (s->n_label > lcap || s->n_location_id > loccap) {
			struct pf_label *nl = realloc(labels, (s->n_label + 1) * sizeof(*nl));
			uint32_t *nlocs = nl ? realloc(locs, (s->n_location_id + 1) * sizeof(*nlocs))
					     : NULL;

			if (nl)
				labels = nl;
			if (!nl || !nlocs) {
				err = -ENOMEM;
				break;
			}
			locs = nlocs;
			lcap = s->n_label;
			loccap = s->n_location_id;
		}
		for (j = 0; j < s->n_location_id && !err; j++)
			if (!(locs[j] = pprof__idmap_get(&c->locs, s->location_id[j])))
				err = -EBADMSG;
		if (!err)
			err = p_labels(c, s, labels);
		if (err)
			break;
		err = -ENOMEM;
		st = profile__intern_stack(c->p, locs, (uint32_t)s->n_location_id);
		if (!st || (s->n_label &&
			    !(ls = profile__intern_label_ids(c->p, labels, (uint32_t)s->n_label))))
			break;
		err = profile__add_values(c->p, st, ls, c->col, s->value, (uint32_t)nr_cols);
		if (err < 0)
			break;
		err = 0;
	}
	free(labels);
	free(locs);
	return err;
}

static int p_comments(struct pctx *c)
{
	struct records_reader rd = RECORDS_READER_INIT;
	size_t i;
	int err;

	for (i = 0; i < c->m->n_comment; i++) {
		uint32_t id;

		err = pstr(c, c->m->comment[i], &id);
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

int pprof_pbc__decode_plain(struct profile *p, const void *buf, size_t len)
{
	struct pctx c = { .p = p };
	struct arena_chunk *arena = NULL;
	ProtobufCAllocator alloc = { arena_alloc, arena_free, &arena };
	pb_profile *m;
	int err;

	m = perftools__profiles__profile__unpack(&alloc, len, buf);
	if (!m) {
		arena_release(arena);
		return -EBADMSG;	/* protobuf-c does not tell ENOMEM apart */
	}
	c.m = m;
	err = p_strings(&c);
	if (!err)
		err = p_types(&c);
	if (!err)
		err = p_functions(&c);
	if (!err)
		err = p_mappings(&c);
	if (!err)
		err = p_locations(&c);
	if (!err)
		err = p_samples(&c);
	if (!err)
		err = p_comments(&c);
	arena_release(arena);
	free(c.str);
	free(c.kernel_map);
	pprof__idmap_free(&c.maps);
	pprof__idmap_free(&c.fns);
	pprof__idmap_free(&c.locs);
	return err;
}
