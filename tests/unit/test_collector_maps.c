// SPDX-License-Identifier: MIT
/*
 * Emptying BPF maps between drains (collectors/collector.c): hash maps go
 * in one batch delete, a key already gone is stepped over, keep() spares
 * what it names, and a stack trace map (no batch operations) is emptied
 * key by key.  Real maps: needs root (or CAP_BPF), skipped otherwise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "collectors/collector.h"

static int hash_map(uint32_t n)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "test_keys", sizeof(__u32), sizeof(__u64), 256,
				NULL);

	if (fd < 0)
		return fd;
	for (__u32 k = 0; k < n; k++) {
		__u64 v = k * 10;

		assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST), 0);
	}
	return fd;
}

static uint32_t map_count(int fd)
{
	__u32 key, next, *prev = NULL, n = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		n++;
	}
	return n;
}

static bool keep_even(const void *key, void *ctx)
{
	(void)ctx;
	return *(const __u32 *)key % 2 == 0;
}

static void test_delete_keys_hash(void **state)
{
	__u32 keys[100], *read = NULL, k;
	size_t n = 0;
	__u64 v;
	int fd;

	(void)state;
	fd = hash_map(100);
	if (fd < 0)
		skip();
	/* all 100, and 100 reported */
	assert_int_equal(collector__map_keys(fd, (void **)&read, &n, NULL), 0);
	assert_int_equal(n, 100);
	assert_int_equal(collector__delete_keys(fd, read, n, sizeof(__u32), NULL, NULL), 100);
	assert_int_equal(map_count(fd), 0);
	free(read);

	/* keys 0..99 asked, 40..49 gone already: 90 deleted, no error */
	for (k = 0; k < 100; k++) {
		keys[k] = k;
		v = k;
		if (k < 40 || k >= 50)
			assert_int_equal(bpf_map_update_elem(fd, &k, &v, BPF_NOEXIST), 0);
	}
	assert_int_equal(collector__delete_keys(fd, keys, 100, sizeof(__u32), NULL, NULL), 90);
	assert_int_equal(map_count(fd), 0);
	close(fd);

	/* keep: the even keys stay, with their values */
	fd = hash_map(100);
	assert_true(fd >= 0);
	assert_int_equal(collector__clear_map_except(fd, keep_even, NULL), 0);
	assert_int_equal(map_count(fd), 50);
	k = 42;
	assert_int_equal(bpf_map_lookup_elem(fd, &k, &v), 0);
	assert_int_equal(v, 420);
	k = 43;
	assert_int_equal(bpf_map_lookup_elem(fd, &k, &v), -ENOENT);
	assert_int_equal(collector__clear_map(fd), 0);
	assert_int_equal(map_count(fd), 0);
	close(fd);
}

/* A stack trace map has no batch delete: the per-key path empties it. */
static void test_delete_keys_stack_map(void **state)
{
	__u64 ips[4] = { 0 };
	__u32 ids[3] = { 1, 5, 9 };
	int fd;

	(void)state;
	fd = bpf_map_create(BPF_MAP_TYPE_STACK_TRACE, "test_stacks", sizeof(__u32), sizeof(ips),
			    16, NULL);
	if (fd < 0)
		skip();
	/* userspace cannot insert into a stack map: deleting absent ids is
	 * still the per-key path, and absent ids are not an error */
	assert_int_equal(collector__delete_keys(fd, ids, 3, sizeof(__u32), NULL, NULL), 0);
	assert_int_equal(collector__clear_map(fd), 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delete_keys_hash),
		cmocka_unit_test(test_delete_keys_stack_map),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
