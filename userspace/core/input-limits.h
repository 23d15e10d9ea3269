/* SPDX-License-Identifier: MIT */
/*
 * The largest inputs peerscope accepts from files it reads, most of them
 * controlled by the profiled process (docs/limits.md).  Beyond one, the
 * parser stops with -EFBIG and the caller warns in one line and skips
 * that file: memory and time stay bounded whatever a file says.
 */
#ifndef PEERSCOPE_INPUT_LIMITS_H
#define PEERSCOPE_INPUT_LIMITS_H

#include <stdint.h>

#define LIMIT_SECTION_BYTES	(1ull << 30)	/* one ELF section, decompressed */
#define LIMIT_SYMBOLS		(8u << 20)	/* symbols of one file or perf map */
#define LIMIT_SYMBOL_NAMES	(1ull << 30)	/* bytes of all names of one file */
#define LIMIT_NAME_LEN		4096		/* one symbol name; longer ones are cut */
#define LIMIT_CFI_ROWS		(32u << 20)	/* unwind rows of one file */
#define LIMIT_PCLNTAB_BYTES	(512u << 20)	/* a .gopclntab */
#define LIMIT_STACK_DEPTH	4096		/* frames of one stack in a recording */

/*
 * Notes "WHAT VALUE over the limit LIMIT" (for limit__why) and returns
 * -EFBIG, for the parser to return.
 */
int limit__exceeded(const char *what, uint64_t value, uint64_t limit);
/* The last limit__exceeded() of this thread, for the one-line warning. */
const char *limit__why(void);

#endif /* PEERSCOPE_INPUT_LIMITS_H */
