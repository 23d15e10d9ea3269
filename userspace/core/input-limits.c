// SPDX-License-Identifier: MIT
/* Which input limit was exceeded last (input-limits.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "core/input-limits.h"

static __thread char why[128];

int limit__exceeded(const char *what, uint64_t value, uint64_t limit)
{
	snprintf(why, sizeof(why), "%s %" PRIu64 " over the limit %" PRIu64, what, value, limit);
	return -EFBIG;
}

const char *limit__why(void)
{
	return why[0] ? why : "over a size limit";
}
