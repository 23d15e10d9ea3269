// SPDX-License-Identifier: MIT
/*
 * `peerscope stat` test target: maps PAGES fresh anonymous pages and
 * writes one byte to each, so the run has PAGES more page faults than with
 * 0 (MAP_POPULATE off, no transparent huge pages: madvise NOHUGEPAGE).
 * With -w MS it first waits, so that stat -p can attach.
 *
 *   stat_pages [-n PAGES] [-w WAIT_MS]   (defaults 1000, 0)
 */
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
	long pages = 1000, wait_ms = 0, psz = sysconf(_SC_PAGESIZE);
	volatile char *p;
	int opt;

	while ((opt = getopt(argc, argv, "n:w:")) != -1) {
		switch (opt) {
		case 'n': pages = atol(optarg); break;
		case 'w': wait_ms = atol(optarg); break;
		default: return 2;
		}
	}
	if (wait_ms)
		usleep(wait_ms * 1000);
	if (pages <= 0)
		return 0;
	p = mmap(NULL, pages * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	madvise((void *)p, pages * psz, MADV_NOHUGEPAGE);
	for (long i = 0; i < pages; i++)
		p[i * psz] = 1;
	if (wait_ms)
		usleep(wait_ms * 1000);
	return 0;
}
