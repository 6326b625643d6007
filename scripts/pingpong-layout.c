/* Why the bench's latency hot slot is shared from 4 KiB up (docs/bench.md): a C ping-pong
 * over a MAP_SHARED file, one side per CPU (0 and 1), with the reply either in the same
 * buffer as the message or in a second one, as `ipclab bench` had it before.
 *
 *   gcc -O2 -o pingpong-layout scripts/pingpong-layout.c
 *   ./pingpong-layout DIR SIZE OFF2 DOFF [shared]
 *     DIR    where the file goes (/tmp on disk, /dev/shm for tmpfs)
 *     SIZE   message bytes
 *     OFF2   offset of the second direction's sequence word (0: one word and one buffer)
 *     DOFF   offset of the data after a sequence word (64: its own cache line)
 *     shared with OFF2 > 0: two sequence words, one data buffer
 *
 *   ./pingpong-layout /tmp 4096 0 64          one buffer for both directions
 *   ./pingpong-layout /tmp 4096 4160 64       one slot per direction
 * Prints the mean and the median one-way time of 20000 round trips (each timed, as
 * goldsborough's are). The private buffer starts on a cache line, as the slot's data does
 * (DOFF 64): with the two 8 bytes apart modulo 64, glibc 2.36's `rep movsb` copy of 64 KiB
 * took 24-35 us one way on an AMD EPYC against 3.1-3.8 us co-aligned (2026-12-06). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
static void pin(int c)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(c, &s);
	sched_setaffinity(0, sizeof s, &s);
}
static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}
static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}
int main(int argc, char **argv)
{
	if (argc < 5) { fprintf(stderr, "usage: %s DIR SIZE OFF2 DOFF [shared]\n", argv[0]); return 2; }
	const char *dir = argv[1];
	long size = atol(argv[2]), off2 = atol(argv[3]), doff = atol(argv[4]);
	unsigned count = 20000;
	char p[256];
	snprintf(p, sizeof p, "%s/pingpong-layout-%d", dir, getpid());
	int f = open(p, O_RDWR | O_CREAT | O_EXCL, 0600);
	long len = off2 + doff + size + 4096;
	if (f < 0 || ftruncate(f, len)) { perror(p); return 1; }
	unsigned char *m = mmap(0, len, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
	unlink(p);
	if (m == MAP_FAILED) { perror("mmap"); return 1; }
	_Atomic unsigned *s1 = (void *)m, *s2 = (void *)(m + off2);
	unsigned char *d1 = m + doff, *d2 = m + off2 + doff;
	if (off2 == 0 || argc > 5) d2 = d1;
	unsigned char *buf = aligned_alloc(64, (size + 63) / 64 * 64);
	double *t1 = malloc(count * sizeof *t1);
	if (!buf || !t1) { perror("malloc"); return 1; }
	memset(buf, 'x', size);
	if (fork() == 0) {
		pin(1);
		for (unsigned i = 1; i <= count; i++) {
			while (atomic_load(s1) != 2 * i - 1) ;
			memcpy(buf, d1, size);
			memcpy(d2, buf, size);
			atomic_store(s2, 2 * i);
		}
		_exit(0);
	}
	pin(0);
	double sum = 0;
	for (unsigned i = 1; i <= count; i++) {
		double t = now();
		memcpy(d1, buf, size);
		atomic_store(s1, 2 * i - 1);
		while (atomic_load(s2) != 2 * i) ;
		memcpy(buf, d2, size);
		t1[i - 1] = (now() - t) / 2;
		sum += t1[i - 1];
	}
	wait(0);
	qsort(t1, count, sizeof *t1, by_value);
	printf("%s size %ld off2 %ld doff %ld%s: %.0f ns one-way mean, %.0f median\n", dir, size,
	       off2, doff, argc > 5 ? " shared" : "", sum / count, t1[count / 2]);
	return 0;
}
