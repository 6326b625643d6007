/* Start-up time, interleaved: `startup ROUNDS N CMD…` runs each CMD (one string, split at
 * spaces; no shell) N times in turn, ROUNDS rounds, stdout and stderr to /dev/null, and
 * prints per CMD the median over rounds of its mean wall time per run, the lowest and
 * highest round, and the ratio of medians to the first CMD (the yardstick). Interleaving
 * keeps the ratio honest on a machine whose speed drifts. Used by scripts/startup.sh. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
extern char **environ;
static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}
static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}
int main(int argc, char **argv)
{
	if (argc < 4) { fprintf(stderr, "usage: startup ROUNDS N CMD...\n"); return 2; }
	int rounds = atoi(argv[1]), n = atoi(argv[2]), k = argc - 3;
	char **words[k];
	for (int c = 0; c < k; c++) {
		words[c] = calloc(64, sizeof(char *));
		char *s = strdup(argv[3 + c]);
		int w = 0;
		for (char *t = strtok(s, " "); t && w < 63; t = strtok(0, " ")) words[c][w++] = t;
	}
	double *mean = calloc((size_t)rounds * k, sizeof(double));
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	for (int r = 0; r < rounds; r++)
		for (int c = 0; c < k; c++) {
			double t0 = now_us();
			for (int i = 0; i < n; i++) {
				pid_t pid;
				int st;
				if (posix_spawn(&pid, words[c][0], &fa, 0, words[c], environ)) { perror(words[c][0]); return 1; }
				waitpid(pid, &st, 0);
			}
			mean[c * rounds + r] = (now_us() - t0) / n;
		}
	double base = 0;
	for (int c = 0; c < k; c++) {
		double *m = mean + c * rounds;
		qsort(m, rounds, sizeof *m, cmp);
		double med = rounds % 2 ? m[rounds / 2] : (m[rounds / 2 - 1] + m[rounds / 2]) / 2;
		if (c == 0) base = med;
		printf("%7.0f us  [%5.0f-%5.0f]  %.2fx  %s\n", med, m[0], m[rounds - 1], med / base, argv[3 + c]);
	}
	return 0;
}
