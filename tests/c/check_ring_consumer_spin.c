/* Broken on purpose for `ipclab check ring-consumer`: the slide's `while (in == out) ;` on a
 * plain (not atomic, not volatile) int. At -O2 the compiler reads `in` once, so the first
 * time the buffer is empty the loop never ends: fails `end` (and `repeat`). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "check_ring.h"
int main(int argc, char *argv[])
{
    if (argc < 3) return 2;
    int fd = shm_open(argv[1], O_RDWR, 0); struct stat st;
    if (fd == -1 || fstat(fd, &st) == -1) { perror("shm_open"); return 1; }
    unsigned char *base = mmap(0, st.st_size, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) { perror("mmap"); return 1; }
    uint32_t n = *(uint32_t *)(base + OFF_SIZE), *in = (uint32_t *)(base + OFF_IN), *out = (uint32_t *)(base + OFF_OUT);
    long count = atol(argv[2]);
    for (long seq = 0; seq < count; seq++) {
        while (*in == *out) ;   /* buffer empty, do nothing */
        *out = (*out + 1) % n;
    }
    printf("consumed %ld items\n", count);
    return 0;
}
