/* SPDX-License-Identifier: MIT */
/*
 * A small open-addressing hash table: byte-string keys to non-zero uint32
 * ids, used by the profile model to intern strings, functions, locations,
 * stacks, label sets and samples.
 *
 * Keys are either copied into the table's own arena, or (when a key_fn is
 * given) fetched back from the caller's storage by id, so that large tables
 * whose objects already hold their key bytes (strings, stacks) do not keep
 * them twice.  Linear probing, power-of-two capacity, grows at 70 % load.
 * There is no deletion: interning tables only grow.
 */
#ifndef PEERSCOPE_HASHMAP_H
#define PEERSCOPE_HASHMAP_H

#include <stddef.h>
#include <stdint.h>

struct hashmap;

/*
 * Returns the key bytes of the object with this id (the length is the one
 * given at insertion).  Called only for ids present in the table.
 */
typedef const void *(*hashmap_key_fn)(void *ctx, uint32_t id);

/* key_fn NULL: keys are copied.  NULL on ENOMEM. */
struct hashmap *hashmap__new(hashmap_key_fn key_fn, void *ctx);
void hashmap__free(struct hashmap *h);
/* The context given to key_fn (changes when the owner moves). */
void hashmap__set_ctx(struct hashmap *h, void *ctx);

uint64_t hashmap__hash(const void *key, size_t len);

/* The id stored for key, or 0. */
uint32_t hashmap__find(const struct hashmap *h, const void *key, size_t len);
/*
 * Looks key up; when absent, inserts it with new_id (non-zero).  *id gets
 * the id now stored for key.  Returns 1 if inserted, 0 if it was there,
 * -ENOMEM.  With a key_fn, the caller must make key_fn(new_id) valid
 * before the next call on this table.
 */
int hashmap__find_or_insert(struct hashmap *h, const void *key, size_t len,
			    uint32_t new_id, uint32_t *id);
/* Number of keys. */
uint32_t hashmap__count(const struct hashmap *h);

#endif /* PEERSCOPE_HASHMAP_H */
