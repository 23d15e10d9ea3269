/* SPDX-License-Identifier: MIT */
/*
 * The profile model: the one in-memory shape every collector fills and every
 * report reads, whether the data came from BPF maps or from a pprof file.
 *
 * It mirrors profile.proto closely enough that writing and reading pprof is a
 * plain walk, and keeps what pprof cannot say directly (raw addresses with
 * their owning pid, side records) in ways documented in docs/format.md.
 *
 * Ids: every table is 1-based; 0 means "none".  Strings are interned and
 * string id 0 is "".  Stacks and label sets are interned too, so a sample is
 * the pair (stack id, label-set id) plus one value per sample type.
 *
 * Every nr_<table> of a 1-based table counts slot 0, so iterate with
 * for (i = 1; i < p->nr_locations; i++).  Samples, records and comments are
 * 0-based.  Functions returning a uint32_t id return 0 on error (ENOMEM or
 * an invalid argument).
 */
#ifndef PEERSCOPE_PROFILE_H
#define PEERSCOPE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PF_MAX_TYPES 32

/*
 * Module (mapping filename) of kernel frames.  The pprof writer puts every
 * kernel location in a mapping of this name and the reader sets kernel=true
 * for locations in it: that is how kernel-ness survives a file.
 */
#define PF_KERNEL_MODULE "[kernel.kallsyms]"

struct pf_value_type {
	uint32_t type;  /* string id, e.g. "cpu" */
	uint32_t unit;  /* string id, e.g. "nanoseconds" */
};

struct pf_mapping {
	uint64_t start, limit, offset;
	uint32_t filename;  /* string id */
	uint32_t build_id;  /* string id, hex */
	bool has_functions;
};

struct pf_function {
	uint32_t name;         /* demangled name (string id) */
	uint32_t system_name;  /* raw/mangled name */
	uint32_t filename;
	int64_t start_line;
};

struct pf_line {
	uint32_t function;  /* function id */
	int64_t line;
};

/*
 * A location is one frame.  While recording it holds a raw address owned by
 * (pid, kernel); the symbolizer fills mapping and lines.  Read back from a
 * file, pid is 0 and lines come from the file.  With inlining the last line
 * is the outermost caller (pprof's rule).
 */
struct pf_location {
	uint64_t address;
	uint32_t mapping;   /* mapping id, 0 = unknown */
	uint32_t pid;       /* owner of the address space; 0 for kernel/synthetic */
	bool kernel;        /* kernel frame ([k] in folded output) */
	bool symbolized;    /* the symbolizer has visited it */
	uint32_t nr_lines;
	struct pf_line *lines;
};

/* A label as given by a caller; str == NULL means a numeric label. */
struct pf_label_kv {
	const char *key;
	const char *str;
	int64_t num;
	const char *unit;  /* optional, numeric labels only */
};

/* An interned label. */
struct pf_label {
	uint32_t key, str;  /* string ids; str 0 = numeric */
	int64_t num;
	uint32_t unit;
};

struct pf_labelset {
	uint32_t nr;
	struct pf_label *labels;  /* sorted by key string, then value */
};

struct pf_stack {
	uint32_t nr;
	uint32_t *locs;  /* location ids, leaf first */
};

struct pf_sample {
	uint32_t stack;     /* stack id */
	uint32_t labelset;  /* label-set id, 0 = no labels */
	/* values live in profile__sample_values(profile, idx)[type] */
};

/*
 * A side record: what is not a stack sample (span latency histograms,
 * connection records, counter readings, rules, overhead).  A record is a
 * kind plus ordered key=value string fields.  Serialised into pprof as a
 * comment "peerscope:<kind> k=v k=v ..." (see docs/format.md).
 */
struct pf_record {
	uint32_t kind;      /* string id */
	uint32_t nr_fields;
	uint32_t *keys;     /* string ids */
	uint32_t *vals;     /* string ids */
};

struct pf_hash;  /* private interning tables */

struct profile {
	/* strings[0] == "" */
	char **strings;
	uint32_t nr_strings, cap_strings;

	struct pf_value_type types[PF_MAX_TYPES];
	uint32_t nr_types;
	int default_type;   /* index into types, -1 = none */

	struct pf_mapping *mappings;   /* mappings[0] unused */
	uint32_t nr_mappings, cap_mappings;   /* count includes slot 0 */
	struct pf_function *functions;
	uint32_t nr_functions, cap_functions;
	struct pf_location *locations;
	uint32_t nr_locations, cap_locations;
	struct pf_stack *stacks;
	uint32_t nr_stacks, cap_stacks;
	struct pf_labelset *labelsets;
	uint32_t nr_labelsets, cap_labelsets;

	struct pf_sample *samples;     /* 0-based */
	/*
	 * cap_samples rows of values_stride columns (>= nr_types; grows as
	 * types are added): a recording of 100 k stacks with two types holds
	 * 32 bytes per sample, not PF_MAX_TYPES' 256.
	 */
	int64_t *values;
	uint32_t values_stride;
	uint32_t nr_samples, cap_samples;

	struct pf_record *records;     /* 0-based */
	uint32_t nr_records, cap_records;
	uint32_t *comments;            /* free-form comments (string ids), 0-based */
	uint32_t nr_comments, cap_comments;

	int64_t time_nanos;            /* start, wall clock */
	int64_t duration_nanos;
	struct pf_value_type period_type;
	int64_t period;

	struct pf_hash *hash;
};

/* Lifecycle.  All functions returning int give 0 or a negative errno. */
struct profile *profile__new(void);
void profile__free(struct profile *p);

/* Strings. */
uint32_t profile__intern(struct profile *p, const char *s);
uint32_t profile__intern_len(struct profile *p, const char *s, size_t len);
/* Looks s up without interning; *id = 0 for "".  False if s is not interned. */
bool profile__find_str(const struct profile *p, const char *s, uint32_t *id);
static inline const char *profile__str(const struct profile *p, uint32_t id)
{
	return id < p->nr_strings ? p->strings[id] : "";
}

/*
 * Sample types.  Returns the column index (0..PF_MAX_TYPES-1) of type/unit,
 * adding it if new, or -ENOSPC.  Existing samples get 0 in a new column.
 */
int profile__add_type(struct profile *p, const char *type, const char *unit);
/* Column index of a type name ("cpu"), or -1. */
int profile__type_index(const struct profile *p, const char *type);

/* Tables. */
uint32_t profile__add_mapping(struct profile *p, const struct pf_mapping *m);
/*
 * Mappings are de-duplicated by (start, limit, offset, filename, build_id);
 * adding a known one again returns its id (has_functions is or-ed in).
 */
/* Interns a function by (name, system_name, filename). */
uint32_t profile__intern_function(struct profile *p, const char *name,
				  const char *system_name, const char *filename);
/* Same by string ids; start_line is kept from the first sight that has one. */
uint32_t profile__intern_function_full(struct profile *p, uint32_t name, uint32_t system_name,
				       uint32_t filename, int64_t start_line);
/*
 * Interns a raw frame: one location per (pid, kernel, address).  Kernel
 * frames use pid 0.
 */
uint32_t profile__intern_address(struct profile *p, uint32_t pid, bool kernel,
				 uint64_t address);
/*
 * A frame known only by name (folded input, synthetic frames such as the
 * off-CPU reason).  One location per (name, module, kernel).
 *
 * It becomes a location with address 0 and one line whose function has
 * name = system_name = func (NULL/"" gives "[unknown]") and no filename.
 * A non-empty module becomes a mapping with that filename, start = limit =
 * offset = 0 and has_functions set; kernel frames without a module get
 * PF_KERNEL_MODULE; user frames without a module have mapping 0.
 * profile__frame_name() then returns func, like for any symbolized frame.
 */
uint32_t profile__intern_named_frame(struct profile *p, const char *func,
				     const char *module, bool kernel);
/*
 * The named frame between a blocked stack and the stack of the thread that
 * woke it, in off-CPU waker samples (leaf first: blocked, "-", waker), as in
 * FlameGraph's offwaketime output.
 */
#define PF_WAKER_SEP "-"
/*
 * A location given by content (what a pprof file holds): one location per
 * (kernel, address, mapping, lines).  pid is 0 and symbolized is set.  Used
 * by the pprof reader and by merge; collectors use intern_address.
 */
uint32_t profile__intern_location(struct profile *p, bool kernel, uint64_t address,
				  uint32_t mapping, const struct pf_line *lines, uint32_t nr_lines);
/* Appends a line to a location (used by the symbolizer and the pprof reader). */
int profile__location_add_line(struct profile *p, uint32_t loc, uint32_t function,
			       int64_t line);

/* Stacks: location ids, leaf first.  Empty stacks are allowed. */
uint32_t profile__intern_stack(struct profile *p, const uint32_t *locs, uint32_t nr);
/*
 * Convenience for collectors: kernel ips (leaf first) then user ips (leaf
 * first) of one pid, as BPF stack maps return them; zero ips end a list.
 */
uint32_t profile__intern_raw_stack(struct profile *p, uint32_t pid,
				   const uint64_t *kernel_ips, uint32_t nr_kernel,
				   const uint64_t *user_ips, uint32_t nr_user);

/*
 * Label sets; 0 for n == 0 (and on error: a NULL or empty key).  Labels
 * are sorted, so the order given does not matter.  A string label with
 * str "" is indistinguishable from numeric 0 (pprof cannot tell either).
 */
uint32_t profile__intern_labels(struct profile *p, const struct pf_label_kv *kv, uint32_t n);
/* Same from interned labels (key != 0; str != 0 means a string label). */
uint32_t profile__intern_label_ids(struct profile *p, const struct pf_label *l, uint32_t n);
/* Value of string label key in a label set, or NULL. */
const char *profile__label_str(const struct profile *p, uint32_t labelset, const char *key);
/* Numeric label; returns false if absent. */
bool profile__label_num(const struct profile *p, uint32_t labelset, const char *key,
			int64_t *num);

/*
 * Samples are keyed by (stack, labelset): adding to an existing key sums.
 * Returns the sample index or a negative errno.
 */
int profile__add(struct profile *p, uint32_t stack, uint32_t labelset, int type_idx,
		 int64_t value);
int profile__add_values(struct profile *p, uint32_t stack, uint32_t labelset,
			const int *type_idx, const int64_t *values, uint32_t n);
/* The value columns of a sample (nr_types of them). */
static inline int64_t *profile__sample_values(const struct profile *p, uint32_t sample)
{
	return &p->values[(size_t)sample * p->values_stride];
}
static inline int64_t profile__value(const struct profile *p, uint32_t sample, int type_idx)
{
	return profile__sample_values(p, sample)[type_idx];
}
/* Sum of one column over all samples. */
int64_t profile__total(const struct profile *p, int type_idx);

/*
 * Sets string labels on samples: for each sample, value() fills values[k]
 * for keys[k] (NULL or "" leaves that label as it is) and returns true, or
 * returns false to leave the sample alone; the sample's other labels are
 * kept.  Samples that then share a (stack, label set) are merged, values
 * summed, at the first one's place; the others keep their order.  The
 * (stack, label set) index stays consistent, so profile__add() after this
 * still sums.  This is how path labels are applied to a loaded recording,
 * once, before any analysis reads it (analysis/paths.h,
 * paths__label_profile).  Returns the number of samples whose labels
 * changed (0: nothing to do, so a second call with the same answers is a
 * no-op) or a negative errno (the profile is then unchanged but for
 * interned strings and label sets).
 */
#define PROFILE_RELABEL_MAX_KEYS 4
typedef bool (*profile_label_fn)(const struct profile *p, uint32_t sample, void *ctx,
				 const char **values);
int profile__relabel(struct profile *p, const char *const *keys, uint32_t nr_keys,
		     profile_label_fn value, void *ctx);

/*
 * Side records: fields given as alternating key, value strings ending with
 * NULL: profile__add_record(p, "conn", "peer", "127.0.0.1:4001", "tx", "12", NULL).
 * A NULL value also ends the list (its key is dropped).  Keys must be
 * non-empty.  Values are stored as given; the pprof writer escapes them
 * (docs/format.md).
 */
int profile__add_record(struct profile *p, const char *kind, ...)
	__attribute__((sentinel));
/* Same with arrays (the pprof reader uses it). */
int profile__add_record_v(struct profile *p, const char *kind, const char *const *keys,
			  const char *const *vals, uint32_t n);
/* Field lookup on a record; NULL if absent. */
const char *profile__record_get(const struct profile *p, const struct pf_record *r,
				const char *key);
int profile__add_comment(struct profile *p, const char *comment);

/*
 * Frame names for output.  For location loc, writes the name of line i
 * (0 = innermost) into buf: the function name, or "module+0xoffset" (or
 * "[unknown]" / "0xADDR") when the frame could not be named.  Never empty.
 *
 * Precisely: a line whose function has a name gives the name (else its
 * system_name).  Without one: a kernel frame, or one with address 0, gives
 * "[unknown]"; a user frame in a mapping with a filename gives
 * "basename(filename)+0xOFF" with OFF = address - start + offset; any other
 * user frame gives "0xADDR".  line past the end is clamped to the last.
 */
const char *profile__frame_name(const struct profile *p, uint32_t loc, uint32_t line,
				char *buf, size_t len);
/* Number of output frames of a location: max(1, nr_lines). */
static inline uint32_t profile__frame_count(const struct profile *p, uint32_t loc)
{
	uint32_t n = p->locations[loc].nr_lines;
	return n ? n : 1;
}

/*
 * Merge src into dst (strings, tables, samples, records re-interned); used by
 * record to combine collectors' output and by tests.
 */
int profile__merge(struct profile *dst, const struct profile *src);

/*
 * A new profile with only the samples for which keep() returns true
 * (e.g. one path).  Tables are shared by copy; records are kept.
 * Every id (string, location, stack, label set...) is the same in the copy;
 * sample indexes are renumbered.  keep == NULL keeps all.  NULL on ENOMEM.
 */
struct profile *profile__filter(const struct profile *p,
				bool (*keep)(const struct profile *p, uint32_t sample, void *ctx),
				void *ctx);
/* profile__filter(p, NULL, NULL). */
struct profile *profile__clone(const struct profile *p);
/* Exchange the contents of two profiles (e.g. to replace one on success). */
void profile__swap(struct profile *a, struct profile *b);

#endif /* PEERSCOPE_PROFILE_H */
